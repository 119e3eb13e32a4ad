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
 * by `--dry-run`. A stream that failed (its reader went away: EPIPE) answers every later batch
 * as retryable at once, naming why; its error does not end the process.
 */
export function createStdoutTransport(options: StdoutTransportOptions): Transport {
  const stream = options.stream ?? process.stdout;
  let broken: string | undefined;
  const onError = (err: NodeJS.ErrnoException): void => {
    broken ??= err.code === 'EPIPE' ? 'its reader closed it (EPIPE)' : err.message;
  };
  // Anything with write() will do as the stream; only an emitter can report a failure this way.
  const listens = typeof stream.on === 'function';
  if (listens) stream.on('error', onError);
  return {
    name: 'stdout',
    send(batch: Batch): Promise<SendResult> {
      if (broken !== undefined) return Promise.resolve({ status: 'retryable', reason: `stdout: ${broken}` });
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
    shutdown: () => {
      if (listens) stream.off('error', onError);
      return Promise.resolve();
    },
  };
}
