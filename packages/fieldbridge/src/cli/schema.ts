import { schemaFileText } from '@fieldbridge/core';
import { searchDirs } from '../bridge-packages.js';
import { CATALOG } from '../catalog.js';
import { availableBridges } from '../load-bridges.js';
import type { Io } from './io.js';
import { loadNamedBridges } from './load-named.js';

/**
 * `fieldbridge schema [BRIDGE...]`: the JSON Schema of a mapping file for those bridges (one
 * bridge: its own file's schema; none: a file that may hold any installed bridge's section).
 */
export async function schemaCommand(names: readonly string[], io: Io): Promise<number> {
  const definitions = await loadNamedBridges('fieldbridge schema', names, io);
  if (typeof definitions === 'number') return definitions;
  if (definitions.length === 1) {
    io.stdout.write(schemaFileText(definitions[0]!));
    return 0;
  }
  const all = definitions.length > 0 ? definitions : (await availableBridges(CATALOG, searchDirs(io.cwd ?? process.cwd()))).flatMap((b) => (b.definition ? [b.definition] : []));
  io.stdout.write(schemaFileText(all));
  return 0;
}
