import { Writable } from 'node:stream';
import { excerpt } from './text.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/**
 * A stream that turns pino's JSON lines into short readable ones for a terminal:
 * `12:00:01 WARN  message key=value`. Used only when stderr is a TTY; pipes get JSON.
 */
export function prettyStream(out: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line) out.write(`${format(line)}\n`);
      }
      done();
    },
  });
}

function format(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return printable(line);
  }
  const time = new Date(Number(entry.time)).toTimeString().slice(0, 8);
  const extras = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${printable(k)}=${printable(k === 'err' && v && typeof v === 'object' ? String((v as { message?: string }).message) : JSON.stringify(v))}`)
    .join(' ');
  return `${time} ${LEVELS[Number(entry.level)] ?? entry.level} ${printable(String(entry.msg ?? ''))}${extras ? `  ${extras}` : ''}`;
}

/** One line of text, control characters replaced: a peer's words must not forge lines or move the cursor. */
function printable(text: string): string {
  return excerpt(text, 4000);
}
