import { createReadStream } from 'node:fs';

/** One line of a text file: its number (from 1) and its text, or `tooLong` when it passed the cap. */
export type NumberedLine = { line: number; text: string; tooLong?: undefined } | { line: number; text?: undefined; tooLong: true };

/**
 * The lines of `path`, numbered, without their line ends (`\n` or `\r\n`). A line longer than
 * `maxChars` is not held: it is given as `{ line, tooLong: true }` and skipped to its end, so a
 * damaged file (one without line ends) never takes more memory than the cap.
 */
export async function* numberedLines(path: string, maxChars: number): AsyncGenerator<NumberedLine> {
  let held = '';
  let skipping = false;
  let line = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let from = 0;
    for (;;) {
      const end = chunk.indexOf('\n', from);
      if (end === -1) {
        if (!skipping) held += chunk.slice(from);
        if (!skipping && held.length > maxChars) {
          held = '';
          skipping = true;
        }
        break;
      }
      line += 1;
      if (skipping) {
        skipping = false;
        yield { line, tooLong: true };
      } else {
        const text = held + chunk.slice(from, end);
        held = '';
        if (text.length > maxChars) yield { line, tooLong: true };
        else yield { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
      }
      from = end + 1;
    }
  }
  if (skipping) yield { line: line + 1, tooLong: true };
  else if (held.length > 0) yield { line: line + 1, text: held.endsWith('\r') ? held.slice(0, -1) : held };
}
