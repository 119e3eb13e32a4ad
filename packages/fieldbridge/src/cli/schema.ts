import { schemaFileText } from '@fieldbridge/core';
import { availableBridges, loadBridge, BridgeNotInstalledError } from '../load-bridges.js';
import { CATALOG } from '../catalog.js';
import type { Io } from './io.js';

/**
 * `fieldbridge schema [BRIDGE...]`: the JSON Schema of a mapping file for those bridges (one
 * bridge: its own file's schema; none: a file that may hold any installed bridge's section).
 */
export async function schemaCommand(names: readonly string[], io: Io): Promise<number> {
  const definitions = [];
  for (const name of names) {
    try {
      const definition = await loadBridge(name);
      if (!definition) {
        io.stderr.write(`fieldbridge schema: no bridge "${name}" (bridges: ${CATALOG.map((e) => e.name).join(', ')})\n`);
        return 2;
      }
      definitions.push(definition);
    } catch (err) {
      if (!(err instanceof BridgeNotInstalledError)) throw err;
      io.stderr.write(`fieldbridge schema: ${err.message}\n`);
      return 2;
    }
  }
  if (definitions.length === 1) {
    io.stdout.write(schemaFileText(definitions[0]!));
    return 0;
  }
  const all = definitions.length > 0 ? definitions : (await availableBridges()).flatMap((b) => (b.definition ? [b.definition] : []));
  io.stdout.write(schemaFileText(all));
  return 0;
}
