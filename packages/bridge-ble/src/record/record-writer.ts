import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Advert } from '../advert/advert.js';
import { formatRecordLine } from '../advert/record.js';
import { BleBridgeError } from '../errors.js';

/** Options of {@link createRecordWriter}. */
export interface RecordWriterOptions {
  /** Bytes written but not yet flushed past which adverts are dropped (a slow disk never grows memory). Default 1 MiB. */
  maxPendingBytes?: number;
}

/** Writes adverts as NDJSON record lines. */
export interface RecordWriter {
  /** Appends `advert`; false when it was dropped (writer full, failed or closed). Never throws. */
  write(advert: Advert): boolean;
  /** Lines written. */
  readonly written: number;
  /** Adverts dropped because the writer was full, failed or closed. */
  readonly dropped: number;
  /** The first write error, if one happened (later adverts are dropped). */
  readonly error: Error | undefined;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
}

/**
 * A {@link RecordWriter} over `stream` (the `--record FILE` file, or any Writable). One line per
 * advert, exactly the record format; writes are bounded by `maxPendingBytes` and a failing
 * stream is reported once through `error`, never thrown at the caller.
 */
export function createRecordWriter(stream: Writable, options: RecordWriterOptions = {}): RecordWriter {
  const maxPending = options.maxPendingBytes ?? 1024 * 1024;
  let written = 0;
  let dropped = 0;
  let error: Error | undefined;
  let closing: Promise<void> | undefined;
  stream.on('error', (err: Error) => {
    error ??= err;
  });
  return {
    write(advert) {
      if (error || closing || stream.writableLength > maxPending) {
        dropped += 1;
        return false;
      }
      stream.write(`${formatRecordLine(advert)}\n`);
      written += 1;
      return true;
    },
    get written() {
      return written;
    },
    get dropped() {
      return dropped;
    },
    get error() {
      return error;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        // A stream that failed takes nothing more; ending it may never finish (standard output
        // after EPIPE emits neither 'finish' nor 'close').
        if (error || stream.writableFinished || stream.destroyed) return resolve();
        stream.once('close', resolve);
        stream.once('finish', resolve);
        stream.once('error', () => resolve());
        stream.end();
      });
      return closing;
    },
  };
}

/**
 * Opens `path` for appending and returns a writer on it. Rejects with a `FILE`
 * {@link BleBridgeError} when the file cannot be opened (missing directory, no permission).
 */
export async function openRecordWriter(path: string, options: RecordWriterOptions = {}): Promise<RecordWriter> {
  const stream = createWriteStream(path, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new BleBridgeError('FILE', `cannot open the record file ${path}: ${err.message}`, { cause: err })));
  });
  return createRecordWriter(stream, options);
}
