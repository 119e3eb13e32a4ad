import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Advert } from '../advert/advert.js';
import { parseRecordLine } from '../advert/record.js';
import { BleBridgeError } from '../errors.js';

/** Longest record line read, in bytes (a maximal advert takes about 10 KiB). Longer lines are skipped. */
export const MAX_RECORD_LINE_BYTES = 16 * 1024;

/** One line of a record file: its advert, or why it gave none. */
export type RecordEntry = { line: number; advert: Advert } | { line: number; problem: string };

/**
 * Splits `chunks` into lines without ever holding more than `maxLineBytes` of one line: a longer
 * line is skipped to its newline and reported. Handles CRLF and a last line without newline.
 */
async function* lines(chunks: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<{ line: number; text?: string; tooLong?: boolean }> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let line = 0;
  const finish = (): { line: number; text?: string; tooLong?: boolean } => {
    line += 1;
    const out = skipping ? { line, tooLong: true } : { line, text: Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    skipping = false;
    return out;
  };
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); ; nl = buf.indexOf(10, start)) {
      const end = nl === -1 ? buf.length : nl;
      if (!skipping) {
        if (size + end - start > maxLineBytes) {
          skipping = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(buf.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      yield finish();
      start = nl + 1;
    }
  }
  if (size > 0 || skipping) yield finish();
}

/**
 * Reads a record file (or stream) line by line: each non-blank line gives its advert or the
 * reason it gave none (not JSON, a key missing or out of range, longer than `maxLineBytes`).
 * Malformed lines never stop the reading. Opening a missing file rejects with a `FILE`
 * {@link BleBridgeError}. Aborting `signal` ends the reading at once, even while a stream (a
 * pipe, standard input) has nothing to read: the stream is destroyed.
 */
export async function* readRecords(source: string | Readable, maxLineBytes = MAX_RECORD_LINE_BYTES, signal?: AbortSignal): AsyncGenerator<RecordEntry> {
  const stream = typeof source === 'string' ? createReadStream(source) : source;
  const onAbort = (): void => {
    stream.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    for await (const { line, text, tooLong } of lines(stream, maxLineBytes)) {
      if (tooLong) {
        yield { line, problem: `line is longer than ${maxLineBytes} bytes` };
        continue;
      }
      if (!text || text.trim() === '') continue;
      const parsed = parseRecordLine(text);
      yield parsed.ok ? { line, advert: parsed.advert } : { line, problem: parsed.reason };
    }
  } catch (err) {
    // A stream destroyed by the abort ends the reading; that is what was asked.
    if (signal?.aborted) return;
    if (typeof source === 'string') throw new BleBridgeError('FILE', `cannot read the record file ${source}: ${(err as Error).message}`, { cause: err });
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}
