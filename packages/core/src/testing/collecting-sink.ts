import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Point } from '../point/point.js';
import { createSink } from '../sink/create-sink.js';
import type { Sink } from '../sink/sink-types.js';

/**
 * A real sink of the `stdout` kind (batches sealed after 5 ms) whose NDJSON lines are parsed
 * back into `points`: what `--once` and `--dry-run` print, for tests that run a bridge under the
 * runtime (`startBridge(definition, config, { sink })`). Close it after the test.
 */
export function createCollectingSink(options: { sourceId?: string } = {}): { sink: Sink; points: Point[] } {
  const points: Point[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) points.push(JSON.parse(line) as Point);
      done();
    },
  });
  const sink = createSink({ url: 'stdout', stdout, sourceId: options.sourceId ?? 'test', logger: pino({ level: 'silent' }), batch: { lingerMs: 5 } });
  return { sink, points };
}
