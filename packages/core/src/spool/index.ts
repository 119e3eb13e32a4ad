export type { AppendResult, DroppedBatch, Spool, SpoolDropReason, SpoolLimits, SpoolStats, WhenFull } from './spool.js';
export { assertSpoolLimits, decideCapacity, DEFAULT_SPOOL_MAX_BYTES, DEFAULT_WHEN_FULL } from './capacity.js';
export type { CapacityCandidate, CapacityDecision, CapacityView } from './capacity.js';
export { createMemorySpool } from './memory-spool.js';
export { createSqliteSpool } from './sqlite-spool.js';
export type { SqliteSpoolOptions } from './sqlite-spool.js';
export { createSpool } from './create-spool.js';
export type { CreateSpoolOptions } from './create-spool.js';
