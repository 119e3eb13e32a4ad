import type { BridgeDefinition } from '@fieldbridge/core';
import { CATALOG } from '../catalog.js';
import { BridgeNotInstalledError, loadBridge } from '../load-bridges.js';
import type { Io } from './io.js';

/**
 * The definitions of the bridges named on a command line (each once). A name no bridge has, or a
 * bridge not installed, is written to stderr prefixed with `command` and gives exit code 2.
 */
export async function loadNamedBridges(command: string, names: readonly string[], io: Io): Promise<BridgeDefinition[] | number> {
  const definitions: BridgeDefinition[] = [];
  for (const name of new Set(names)) {
    try {
      const definition = await loadBridge(name);
      if (!definition) {
        io.stderr.write(`${command}: no bridge "${name}" (bridges: ${CATALOG.map((e) => e.name).join(', ')})\n`);
        return 2;
      }
      definitions.push(definition);
    } catch (err) {
      if (!(err instanceof BridgeNotInstalledError)) throw err;
      io.stderr.write(`${command}: ${err.message}\n`);
      return 2;
    }
  }
  return definitions;
}
