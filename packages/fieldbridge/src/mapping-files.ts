import { loadMapping, readMappingText, sectionKeys, type BridgeDefinition, type MappingReadOptions, type MultiFileConfig } from '@fieldbridge/core';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { BridgeNotInstalledError, loadBridge } from './load-bridges.js';

/** A mapping file read for the `fieldbridge` command. */
export interface MappingFile {
  file: string;
  /** The bridges of the sections it holds, in file order. */
  definitions: BridgeDefinition[];
  config: MultiFileConfig;
  /** Reads it again (SIGHUP) with the same bridges. */
  load(): MultiFileConfig;
}

/** A mapping file the command cannot use, with the message to print (`file:line:col ...`). */
export class MappingFileError extends Error {
  override name = 'MappingFileError';
}

/**
 * Reads `file`, loads the bridge of each section it holds (only those: a file with `modbus:`
 * never loads the OPC-UA package) and validates it against them. A section whose bridge is not
 * installed, or that names no bridge, is a {@link MappingFileError} at its line and column;
 * invalid content throws core's `CONFIG_INVALID` error, an unreadable file `CONFIG_NOT_FOUND`.
 */
export async function readMappingFile(file: string, env: NodeJS.ProcessEnv = process.env, catalog: readonly CatalogEntry[] = CATALOG, options: MappingReadOptions = {}): Promise<MappingFile> {
  const text = readMappingText(file);
  const definitions: BridgeDefinition[] = [];
  const problems: string[] = [];
  for (const key of sectionKeys(text)) {
    try {
      const definition = await loadBridge(key.key, catalog);
      if (definition) definitions.push(definition);
      // A key no bridge has is left to the schema, which says "unknown key" at its place.
    } catch (err) {
      if (!(err instanceof BridgeNotInstalledError)) throw err;
      problems.push(`${file}:${key.line}:${key.col} ${key.key}: ${err.message}`);
    }
  }
  if (problems.length > 0) throw new MappingFileError(problems.join('\n'));
  const sections = definitions.length > 0 ? definitions : await installedDefinitions(catalog);
  const load = () => loadMapping(file, sections, env, options);
  return { file, definitions: sections, config: load(), load };
}

/** Every installed bridge: what a file with no section is checked against (it then says which to add). */
async function installedDefinitions(catalog: readonly CatalogEntry[]): Promise<BridgeDefinition[]> {
  const out: BridgeDefinition[] = [];
  for (const entry of catalog) {
    const definition = await loadBridge(entry.name, catalog).catch(() => undefined);
    if (definition) out.push(definition);
  }
  return out;
}
