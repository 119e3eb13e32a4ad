import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Point } from '../src/point/point.js';
import type { Batch } from '../src/shared/batch.js';
import { encodeBatch } from '../src/shared/batch-codec.js';

/** Temp directories for one test file: `make()` creates one, `cleanup()` removes them all. */
export function tempDirs(prefix = 'fb-spool-'): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real pino logger whose records are kept, parsed, in `records`. */
export function captureLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

/** A batch of `count` points, id `id`, sealed at `createdAtMs`, encoded as the sink seals them. */
export function pointsBatch(id: string, count: number, createdAtMs = 1_700_000_000_000): Batch {
  const points = [];
  for (let i = 0; i < count; i++) points.push({ metric: `bulk.m${i % 50}`, value: i, timestamp: createdAtMs + i, tags: { batch: id } });
  return testBatch(id, points, { createdAtMs });
}

/** A batch of `points`, encoded as the sink seals them; `bytes` overrides what it counts against a cap. */
export function testBatch(id: string, points: readonly Point[], o: { bytes?: number; createdAtMs?: number } = {}): Batch {
  const batch = encodeBatch({ id, createdAtMs: o.createdAtMs ?? 1_700_000_000_000, points }, { sourceId: 'test', gzipLevel: 1 });
  return o.bytes === undefined ? batch : { ...batch, bytes: o.bytes };
}
