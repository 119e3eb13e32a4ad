import { pathToFileURL } from 'node:url';
import type { BridgeDefinition } from '@fieldbridge/core';
import { packageRootEntry } from './_package-entry.js';
import { discoverBridgePackages, findBridgePackage, searchDirs, type FoundBridgePackage } from './bridge-packages.js';
import { CATALOG, catalogEntry, type CatalogEntry } from './catalog.js';

/** Why a bridge could not be loaded. */
export class BridgeNotInstalledError extends Error {
  constructor(readonly entry: CatalogEntry, cause: unknown) {
    super(`bridge-${entry.name} is not installed: npm install ${entry.package}`, { cause });
    this.name = 'BridgeNotInstalledError';
  }
}

/** An installed package that is not a usable bridge: it fails to load, or exports no `<name>Bridge` definition. */
export class BridgePackageError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'BridgePackageError';
  }
}

/**
 * Imports bridge `name`'s package and returns its definition. A catalog bridge comes from its
 * package; any other name from an installed third-party package (`@fieldbridge/bridge-<name>`,
 * then `fieldbridge-bridge-<name>`) seen from `from` (default: the working directory, then the
 * command's own installation). Only the package root loads: its protocol library waits until
 * the bridge starts. Throws {@link BridgeNotInstalledError} for a catalog bridge not installed,
 * {@link BridgePackageError} for a package that is not a bridge; undefined for a name no bridge has.
 */
export async function loadBridge(name: string, catalog: readonly CatalogEntry[] = CATALOG, from: readonly string[] = searchDirs(process.cwd())): Promise<BridgeDefinition | undefined> {
  const entry = catalogEntry(name, catalog);
  if (!entry) {
    const found = findBridgePackage(name, from);
    return found ? loadThirdParty(found) : undefined;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(entry.package)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Only "the package is not there" means not installed; a broken package says why.
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes(entry.package)) throw new BridgeNotInstalledError(entry, err);
    throw err;
  }
  return definitionOf(mod, entry.name, entry.package);
}

async function loadThirdParty(found: FoundBridgePackage): Promise<BridgeDefinition> {
  const file = packageRootEntry(found.dir);
  if (file === undefined) throw new BridgePackageError(`${found.package} (${found.dir}) exports no root for import; is it a fieldbridge bridge package?`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new BridgePackageError(`${found.package} (${found.dir}) does not load: ${(err as Error).message.split('\n')[0]}`, err);
  }
  return definitionOf(mod, found.name, found.package);
}

/** The module's `<name>Bridge`, checked to be a bridge definition (what `defineBridge` returns) named `name`. */
function definitionOf(mod: Record<string, unknown>, name: string, pkg: string): BridgeDefinition {
  const d = mod[`${name}Bridge`] as Partial<BridgeDefinition> | undefined;
  const valid = typeof d === 'object' && d !== null && d.name === name && typeof d.version === 'string' && typeof d.configSchema?.safeParse === 'function' && typeof d.describe === 'function' && typeof d.create === 'function';
  if (!valid) throw new BridgePackageError(`${pkg} does not export ${name}Bridge, a definition made with defineBridge({ name: '${name}', ... }); is it a fieldbridge bridge package?`);
  return d as BridgeDefinition;
}

/** A bridge as `fieldbridge bridges` reports it. */
export interface BridgeAvailability {
  entry: CatalogEntry;
  /** Its definition when installed. */
  definition?: BridgeDefinition;
  /** Why it is not available (not installed, or failing to load). */
  problem?: string;
  /** True for a bridge found installed outside the catalog. */
  thirdParty?: boolean;
}

/**
 * Every catalog bridge, loaded where installed, then every third-party bridge package installed
 * where `from` sees (a listing of `node_modules` folders; see `discoverBridgePackages`).
 */
export async function availableBridges(catalog: readonly CatalogEntry[] = CATALOG, from: readonly string[] = searchDirs(process.cwd())): Promise<BridgeAvailability[]> {
  const others = discoverBridgePackages(from).filter((p) => !catalogEntry(p.name, catalog));
  const load = async (entry: CatalogEntry, thirdParty: boolean): Promise<BridgeAvailability> => {
    try {
      return { entry, definition: (await loadBridge(entry.name, catalog, from))!, ...(thirdParty ? { thirdParty } : {}) };
    } catch (err) {
      return { entry, problem: (err as Error).message, ...(thirdParty ? { thirdParty } : {}) };
    }
  };
  return Promise.all([...catalog.map((e) => load(e, false)), ...others.map((p) => load({ name: p.name, package: p.package, summary: p.description }, true))]);
}
