// The library side of the `fieldbridge` command: which bridges exist, loading the installed
// ones, and reading mapping files that hold several bridges' sections. The command line lives in
// src/cli and is never imported from here.
export { CATALOG, catalogEntry, type CatalogEntry } from './catalog.js';
export { loadBridge, availableBridges, BridgeNotInstalledError, BridgePackageError, type BridgeAvailability } from './load-bridges.js';
export { bridgePackageNames, findBridgePackage, discoverBridgePackages, searchDirs, BRIDGE_NAME_PATTERN, type FoundBridgePackage } from './bridge-packages.js';
export { readMappingFile, MappingFileError, type MappingFile } from './mapping-files.js';
