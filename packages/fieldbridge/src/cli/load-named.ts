import type { BridgeDefinition } from '@fieldbridge/core';
import { bridgePackageNames, searchDirs } from '../bridge-packages.js';
import { CATALOG } from '../catalog.js';
import { BridgeNotInstalledError, BridgePackageError, loadBridge } from '../load-bridges.js';
import type { Io } from './io.js';

/**
 * The definitions of the bridges named on a command line (each once): catalog bridges, and
 * third-party ones installed where the working directory sees. A name no bridge has, a bridge not
 * installed or a package that is not a bridge, is written to stderr prefixed with `command` and gives exit code 2.
 */
export async function loadNamedBridges(command: string, names: readonly string[], io: Io): Promise<BridgeDefinition[] | number> {
  const definitions: BridgeDefinition[] = [];
  for (const name of new Set(names)) {
    try {
      const definition = await loadBridge(name, CATALOG, searchDirs(io.cwd ?? process.cwd()));
      if (!definition) {
        const packages = bridgePackageNames(name);
        const elsewhere = packages.length > 0 ? `; another bridge is an installed package ${packages.join(' or ')}` : '';
        io.stderr.write(`${command}: no bridge "${name}" (bridges: ${CATALOG.map((e) => e.name).join(', ')})${elsewhere}\n`);
        return 2;
      }
      definitions.push(definition);
    } catch (err) {
      if (!(err instanceof BridgeNotInstalledError || err instanceof BridgePackageError)) throw err;
      io.stderr.write(`${command}: ${err.message}\n`);
      return 2;
    }
  }
  return definitions;
}
