import type { BridgeDefinition } from '@fieldbridge/core';
import { CATALOG, catalogEntry, type CatalogEntry } from './catalog.js';

/** Why a bridge could not be loaded. */
export class BridgeNotInstalledError extends Error {
  constructor(readonly entry: CatalogEntry, cause: unknown) {
    super(`bridge-${entry.name} is not installed: npm install ${entry.package}`, { cause });
    this.name = 'BridgeNotInstalledError';
  }
}

/**
 * Imports bridge `name`'s package and returns its definition. Only the package root loads: its
 * protocol library waits until the bridge starts. Throws {@link BridgeNotInstalledError} naming
 * the package to install when it is missing; undefined for a name no bridge has.
 */
export async function loadBridge(name: string, catalog: readonly CatalogEntry[] = CATALOG): Promise<BridgeDefinition | undefined> {
  const entry = catalogEntry(name, catalog);
  if (!entry) return undefined;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(entry.package)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Only "the package is not there" means not installed; a broken package says why.
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes(entry.package)) throw new BridgeNotInstalledError(entry, err);
    throw err;
  }
  const definition = mod[`${entry.name}Bridge`] as BridgeDefinition | undefined;
  if (!definition || definition.name !== entry.name) throw new Error(`${entry.package} does not export ${entry.name}Bridge; is it a fieldbridge bridge package?`);
  return definition;
}

/** A bridge as `fieldbridge bridges` reports it. */
export interface BridgeAvailability {
  entry: CatalogEntry;
  /** Its definition when installed. */
  definition?: BridgeDefinition;
  /** Why it is not available (not installed, or failing to load). */
  problem?: string;
}

/** Every catalog bridge, loaded where installed. */
export async function availableBridges(catalog: readonly CatalogEntry[] = CATALOG): Promise<BridgeAvailability[]> {
  return Promise.all(
    catalog.map(async (entry) => {
      try {
        return { entry, definition: (await loadBridge(entry.name, catalog))! };
      } catch (err) {
        return { entry, problem: (err as Error).message };
      }
    }),
  );
}
