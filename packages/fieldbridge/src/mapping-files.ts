import { dirname } from 'node:path';
import { FieldbridgeError, loadMapping, readMappingText, sectionKeys, type BridgeDefinition, type MappingReadOptions, type MultiFileConfig } from '@fieldbridge/core';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { searchDirs } from './bridge-packages.js';
import { availableBridges, BridgeNotInstalledError, BridgePackageError, loadBridge } from './load-bridges.js';

/** A mapping file read for the `fieldbridge` command. */
export interface MappingFile {
  file: string;
  /** The bridges of the sections it holds, in file order. */
  definitions: BridgeDefinition[];
  config: MultiFileConfig;
  /**
   * Reads it again (SIGHUP) as {@link readMappingFile} did, loading the bridges of the sections it
   * holds then: a section added since is loaded on demand, or refused at its line when its bridge
   * is not installed. Rejects as `readMappingFile` does.
   */
  reload(): Promise<MappingFile>;
}

/**
 * A mapping file the command cannot use, with the message to print (`file:line:col ...`): core's
 * `CONFIG_INVALID`, so that its message is all a log line says of it.
 */
export class MappingFileError extends FieldbridgeError {
  override name = 'MappingFileError';

  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/**
 * Reads `file`, loads the bridge of each section it holds (only those: a file with `modbus:`
 * never loads the OPC-UA package) and validates it against them. A key outside the catalog is
 * looked up as an installed third-party bridge package from the file's folder, then from `cwd`
 * (see `findBridgePackage`). A section whose bridge is not installed, or whose package is not a
 * bridge, is a {@link MappingFileError} at its line and column; a key no bridge has is an
 * unknown key there; invalid content throws core's `CONFIG_INVALID` error, an unreadable file
 * `CONFIG_NOT_FOUND`.
 */
export async function readMappingFile(file: string, env: NodeJS.ProcessEnv = process.env, catalog: readonly CatalogEntry[] = CATALOG, options: MappingReadOptions = {}, cwd: string = process.cwd()): Promise<MappingFile> {
  const text = readMappingText(file);
  const from = searchDirs(dirname(file), cwd);
  const definitions: BridgeDefinition[] = [];
  const problems: string[] = [];
  for (const key of sectionKeys(text)) {
    try {
      const definition = await loadBridge(key.key, catalog, from);
      if (definition) definitions.push(definition);
      // A key no bridge has is left to the schema, which says "unknown key" at its place.
    } catch (err) {
      if (!(err instanceof BridgeNotInstalledError || err instanceof BridgePackageError)) throw err;
      problems.push(`${file}:${key.line}:${key.col} ${key.key}: ${err.message}`);
    }
  }
  if (problems.length > 0) throw new MappingFileError(problems.join('\n'));
  const sections = definitions.length > 0 ? definitions : (await availableBridges(catalog, from)).flatMap((b) => (b.definition ? [b.definition] : []));
  return { file, definitions: sections, config: loadMapping(file, sections, env, { knownSections: catalog.map((c) => c.name), ...options }), reload: () => readMappingFile(file, env, catalog, options, cwd) };
}
