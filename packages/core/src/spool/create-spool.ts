import type { Logger } from 'pino';
import { FieldbridgeError } from '../errors.js';
import { assertSpoolLimits, DEFAULT_SPOOL_MAX_BYTES, DEFAULT_WHEN_FULL } from './capacity.js';
import { createMemorySpool } from './memory-spool.js';
import type { Spool, SpoolLimits, WhenFull } from './spool.js';
import { createSqliteSpool } from './sqlite-spool.js';

/** Options of {@link createSpool}; every one is optional. */
export interface CreateSpoolOptions {
  /** Directory of a disk spool (created with mode 0700). Omitted: a memory spool, lost with the process. */
  path?: string;
  /** Most bytes held (sum of batch `bytes`). Default 256 MiB. */
  maxBytes?: number;
  /** What happens when an append would pass `maxBytes`. Default `drop_oldest`. */
  whenFull?: WhenFull;
  /** Batches older than this many ms are dropped by `expire()`. Default: never. */
  maxAgeMs?: number;
  /** Disk spool only: `process` (default) survives a process crash, `power` also a power cut. */
  durability?: 'process' | 'power';
  /** Where a disk spool logs problems. Default: a pino logger on stderr. */
  logger?: Logger;
}

const KEYS = new Set(['path', 'maxBytes', 'whenFull', 'maxAgeMs', 'durability', 'logger']);

/**
 * Creates the spool the options describe: on disk (SQLite) when `path` is set, in memory
 * otherwise. Options are checked once, here.
 *
 * @throws FieldbridgeError `OPTIONS_INVALID` naming the bad option; for a disk spool also
 *   `SPOOL_LOCKED` (another process uses the directory) and `SPOOL_UNUSABLE`.
 */
export function createSpool(options: CreateSpoolOptions = {}): Spool {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) {
      throw new FieldbridgeError('OPTIONS_INVALID', `unknown spool option ${JSON.stringify(key)}; known: ${[...KEYS].join(', ')}`);
    }
  }
  const { path, durability, logger } = options;
  if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) {
    throw new FieldbridgeError('OPTIONS_INVALID', `spool path must be a non-empty directory path, got ${JSON.stringify(path)}`);
  }
  if (durability !== undefined && durability !== 'process' && durability !== 'power') {
    throw new FieldbridgeError('OPTIONS_INVALID', `spool durability must be "process" or "power", got ${JSON.stringify(durability)}`);
  }
  const limits: SpoolLimits = {
    maxBytes: options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
    whenFull: options.whenFull ?? DEFAULT_WHEN_FULL,
    ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
  };
  assertSpoolLimits(limits);
  if (path === undefined) return createMemorySpool(limits);
  return createSqliteSpool({ dir: path, limits, ...(durability ? { durability } : {}), ...(logger ? { logger } : {}) });
}
