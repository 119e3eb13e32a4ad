import type { Batch } from '../shared/batch.js';
import { batchPoints } from '../shared/batch-codec.js';
import type { SendResult, Transport } from './transport.js';

/** Options of {@link createStdoutTransport}. */
export interface StdoutTransportOptions {
  /** Filled into points that carry no `source_id`. */
  sourceId: string;
  /** Where NDJSON goes. Default `process.stdout`. */
  stream?: NodeJS.WritableStream;
}

/**
 * Writes each point as one JSON line. The answer waits for the stream to take the data, so a
 * slow reader applies backpressure instead of growing memory. Used when no sink URL is set and
 * by `--dry-run`.
 */
export function createStdoutTransport(options: StdoutTransportOptions): Transport {
  const stream = options.stream ?? process.stdout;
  return {
    name: 'stdout',
    send(batch: Batch): Promise<SendResult> {
      let text = '';
      for (const point of batchPoints(batch)) {
        text += `${JSON.stringify(point.source_id ? point : { ...point, source_id: options.sourceId })}\n`;
      }
      return new Promise((resolve) => {
        stream.write(text, (err) => {
          resolve(err ? { status: 'retryable', reason: `stdout: ${err.message}` } : { status: 'success' });
        });
      });
    },
    shutdown: () => Promise.resolve(),
  };
}
