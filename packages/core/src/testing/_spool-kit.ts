import { afterEach, expect } from 'vitest';
import type { Point } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { encodeBatch } from '../shared/batch-codec.js';
import type { DroppedBatch, Spool, SpoolLimits } from '../spool/spool.js';

/** What a spool factory under test returns: the spool, and optionally a way to open its storage again. */
export type SpoolFactoryResult = Spool | { spool: Spool; reopen?: () => Spool };

/** Creates a fresh, empty spool with the given limits. */
export type SpoolFactory = (limits: SpoolLimits) => SpoolFactoryResult;

/** A spool opened for one test; `reopen` is undefined when the implementation cannot reopen. */
export interface OpenedSpool {
  spool: Spool;
  reopen: (() => Spool) | undefined;
}

/** Opens spools for tests and closes every one of them after each test. */
export type MakeSpool = (limits?: Partial<SpoolLimits>) => OpenedSpool;

const BASE_MS = 1_700_000_000_000;

/** Registers the afterEach that closes what `make` opened. Call inside a describe block. */
export function spoolMaker(factory: SpoolFactory): MakeSpool {
  const opened: Spool[] = [];
  afterEach(() => {
    for (const spool of opened.splice(0)) spool.close();
  });
  return (limits) => {
    const result = factory({ maxBytes: 1_000_000, whenFull: 'drop_oldest', ...limits });
    const spool = isSpool(result) ? result : result.spool;
    opened.push(spool);
    const reopenRaw = isSpool(result) ? undefined : result.reopen;
    const reopen =
      reopenRaw === undefined
        ? undefined
        : (): Spool => {
            const again = reopenRaw();
            opened.push(again);
            return again;
          };
    return { spool, reopen };
  };
}

function isSpool(value: SpoolFactoryResult): value is Spool {
  return typeof (value as Spool).append === 'function';
}

/**
 * Batch number `n`: id `b<n>`, `points` points (default 2), `bytes` (default 100, the
 * capacity tests count with it), sealed at `createdAtMs` (default a fixed base + n).
 */
export function batch(n: number, opts: { points?: number; bytes?: number; createdAtMs?: number } = {}): Batch {
  const count = opts.points ?? 2;
  const points: Point[] = [];
  for (let i = 0; i < count; i++) points.push({ metric: `m.${n}`, value: i, timestamp: BASE_MS + i });
  return { ...encodeBatch({ id: `b${n}`, createdAtMs: opts.createdAtMs ?? BASE_MS + n, points }, KIT_CODEC), bytes: opts.bytes ?? 100 };
}

/** How the kit's batches are encoded: as the sink seals them. */
export const KIT_CODEC = { sourceId: 'conformance', gzipLevel: 1 } as const;

/** Ids of batches, in order. */
export function ids(batches: readonly Batch[]): string[] {
  return batches.map((b) => b.id);
}

/** Ids of dropped batches with their reasons, as `id:reason`. */
export function drops(dropped: readonly DroppedBatch[]): string[] {
  return dropped.map((d) => `${d.id}:${d.reason}`);
}

/** Asserts the spool's stats equal exactly what `held` adds up to. */
export function expectHolds(spool: Spool, held: readonly Batch[]): void {
  let points = 0;
  let bytes = 0;
  let oldest: number | undefined;
  for (const b of held) {
    points += b.count;
    bytes += b.bytes;
    oldest = oldest === undefined ? b.createdAtMs : Math.min(oldest, b.createdAtMs);
  }
  expect(spool.stats()).toEqual({ batches: held.length, points, bytes, oldestCreatedAtMs: oldest });
}

/** Appends each batch, expecting it to be accepted with nothing dropped. */
export function fill(spool: Spool, batches: readonly Batch[]): void {
  for (const b of batches) expect(spool.append(b)).toEqual({ accepted: true, dropped: [] });
}

/** Leases everything left and returns the ids, oldest first. */
export function drainIds(spool: Spool): string[] {
  return ids(spool.lease(Number.MAX_SAFE_INTEGER));
}
