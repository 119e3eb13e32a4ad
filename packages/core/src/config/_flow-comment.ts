import { clip, singleQuoted, type SourceLine } from './_yaml-source.js';

/**
 * A `{ }` or `[ ]` whose closing bracket a comment hides: `tags: { station: Pump #2 }`, where the
 * ` #` (outside quotes) starts a comment that takes `#2 }` with it, so the bracket opened at column
 * `open` of `line` is never closed. The message says so at the value and writes it quoted, the
 * rest of the line kept; undefined when the line is not such a case.
 */
export function commentHidesClose(line: SourceLine, open: number, close: '}' | ']'): { offset: number; message: string } | undefined {
  const hash = unquotedHash(line.text, open + 1);
  if (hash === undefined || !line.text.slice(hash).includes(close)) return undefined;
  const head = line.text.slice(0, hash);
  const start = Math.max(head.lastIndexOf(': '), head.lastIndexOf(','), head.lastIndexOf('{'), head.lastIndexOf('[')) + 1;
  const first = start + (/^\s*/.exec(line.text.slice(start))![0].length);
  const stop = /[,}\]]/.exec(line.text.slice(hash));
  const end = hash + (stop === null ? line.text.length - hash : stop.index);
  const value = line.text.slice(first, end).trimEnd();
  if (first >= hash || value === '') return undefined;
  const kept = line.text.slice(0, first).trimStart();
  const rewrite = `${kept}${singleQuoted(value)}${line.text.slice(first + value.length)}`.trimEnd();
  const comment = value.slice(hash - first).trimStart();
  return {
    offset: line.start + first,
    message: `"${clip(value)}" reads as "${clip(line.text.slice(first, hash).trimEnd())}" and a comment (a # after a space starts one), which hides the ${close} after it: if ${clip(comment, 20)} belongs to the value, put it in quotes: ${clip(rewrite, 400)}`,
  };
}

/** Where a ` #` starting a comment is on `text` from `from` (quoted text skipped), if anywhere. */
function unquotedHash(text: string, from: number): number | undefined {
  let quote = '';
  for (let i = from; i < text.length; i += 1) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && /\s/.test(text[i - 1] ?? '')) return i - 1;
  }
  return undefined;
}
