import { Parser } from 'yaml';

/** A place in a mapping file's text and what to say there. */
export interface SourceHint {
  /** Character offset in the text, where the user has to edit. */
  offset: number;
  message: string;
}

/** A line of the text: its text (without the line break), where it starts, its 1-based number. */
export interface SourceLine {
  text: string;
  start: number;
  readonly number: number;
}

/** The line holding `offset`. */
export function lineAt(text: string, offset: number): SourceLine {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const raw = text.slice(start, end === -1 ? undefined : end);
  return {
    text: raw.endsWith('\r') ? raw.slice(0, -1) : raw,
    start,
    // Counted only when a message says it: walking up thousands of blank lines must stay linear.
    get number() {
      return countLines(text, start);
    },
  };
}

function countLines(text: string, upTo: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < upTo; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** The nearest line above `line` that holds more than blanks or a comment, if any. */
export function previousContentLine(text: string, line: SourceLine): SourceLine | undefined {
  for (let start = line.start; start > 0; ) {
    const above = lineAt(text, start - 1);
    if (above.text.trim() !== '' && !above.text.trim().startsWith('#')) return above;
    start = above.start;
  }
  return undefined;
}

/** The nearest line below `line` that holds more than blanks or a comment, if any. */
export function nextContentLine(text: string, line: SourceLine): SourceLine | undefined {
  for (let end = text.indexOf('\n', line.start); end !== -1; end = text.indexOf('\n', end + 1)) {
    const below = lineAt(text, end + 1);
    if (below.start >= text.length) return undefined;
    if (below.text.trim() !== '' && !below.text.trim().startsWith('#')) return below;
  }
  return undefined;
}

/** Leading spaces of a line. */
export const indentOf = (line: string): number => /^ */.exec(line)![0].length;

/** `text` cut to `max` characters for a message, with an ellipsis when cut. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A value from `from` to the end of its line, a trailing `# comment` (outside quotes) left out. */
export function valueToLineEnd(text: string, from: number): string {
  const line = lineAt(text, from);
  const rest = line.text.slice(from - line.start);
  return rest.replace(/\s+#[^'"]*$/, '').trimEnd();
}

/**
 * The value written from `from`, and what follows it on its line. Inside `{ }` or `[ ]` (a bracket
 * opened before `from` on the line and not closed) the value ends before the `,`, `}` or `]` that
 * ends its entry (a quoted one at its last quote before them), and `after` keeps the rest, so that
 * a line rewritten with the value quoted keeps its other entries and its brackets
 * (`tags: { site: '%done' }`); elsewhere the value runs to the line's end and `after` is empty.
 */
export function valueInLine(text: string, from: number): { value: string; after: string } {
  const line = lineAt(text, from);
  const rest = valueToLineEnd(text, from);
  if (!opensFlow(line.text.slice(0, from - line.start))) return { value: rest, after: '' };
  const quoted = rest.startsWith("'") || rest.startsWith('"');
  const end = quoted ? /['"]\s*(?=[,}\]])/.exec(rest.slice(1)) : /[,}\]]/.exec(rest);
  if (end === null) return { value: rest, after: '' };
  const cut = quoted ? end.index + 2 : end.index;
  const tail = rest.slice(cut).trimStart();
  return { value: rest.slice(0, cut).trimEnd(), after: `${tail.startsWith(',') ? '' : ' '}${tail}` };
}

/** Whether `before` (a line up to a value) leaves a `{` or `[` open; quoted text skipped. */
function opensFlow(before: string): boolean {
  let depth = 0;
  let quote = '';
  for (const c of before) {
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{' || c === '[') depth += 1;
    else if ((c === '}' || c === ']') && depth > 0) depth -= 1;
  }
  return depth > 0;
}

/** `value` as a single-quoted YAML scalar (a `'` inside written twice). */
export const singleQuoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * Whether the text between a double-quoted value's quotes looks like a Windows path, where a
 * backslash is meant as itself: a drive (`C:\`), a share (`\\server`), a relative `.\`, or
 * several backslashes without spaces under a key naming a file or folder (`key`). Text with
 * escapes of its own (`note: "a\nb"`, `sep: "\r\n"`) is not one.
 */
export function looksLikeWindowsPath(inner: string, key = ''): boolean {
  if (/[A-Za-z]:\\/.test(inner) || /^\\\\[^\\]/.test(inner) || /^\.{1,2}\\/.test(inner)) return true;
  // `path: "data\buffer\new"`: under a key that names a file or folder, several backslashes in a
  // value without spaces are a path's.
  return PATH_KEY.test(key) && (inner.match(/\\/g)?.length ?? 0) >= 2 && !/\s/.test(inner);
}

/** Keys whose values are files or folders (`path`, `dbc`, `ca_file`, `dead_letter`, `pki`). */
const PATH_KEY = /path|file|dir|folder|dbc|cert|pki|dead_letter|log/i;

/** What to say of a Windows path written in double quotes, whose backslashes start escapes. */
export function windowsPathMessage(inner: string, what: string): string {
  return `"${clip(inner)}" looks like a Windows path, but inside double quotes a backslash starts an escape (${what}): write it in single quotes (${singleQuoted(clip(inner))}) or with forward slashes (${clip(inner.replace(/\\/g, '/'))})`;
}

/** A token of yaml's concrete syntax tree: its type, where it starts, its source text. */
export interface SourceToken {
  type: string;
  offset: number;
  source?: string;
  /** A flow collection's closing tokens' sources (`]`, `}` when it is closed). */
  end?: string[];
}

/** Every token of `text`'s syntax tree, nested ones included, in document order. Bounded by the file's size. */
export function sourceTokens(text: string): SourceToken[] {
  const out: SourceToken[] = [];
  // A stack, not recursion: a file of thousands of nested [ ] must not overflow the call stack.
  const stack: unknown[] = [];
  for (const token of new Parser().parse(text)) stack.push(token);
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    const token = node as { type?: unknown; offset?: unknown; source?: unknown; end?: unknown };
    if (typeof token.type === 'string' && typeof token.offset === 'number') {
      const end = Array.isArray(token.end) ? token.end.map((e: { source?: unknown }) => String(e?.source ?? '')) : undefined;
      out.push({ type: token.type, offset: token.offset, ...(typeof token.source === 'string' ? { source: token.source } : {}), ...(end ? { end } : {}) });
    }
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') stack.push(value);
  }
  return out.sort((a, b) => a.offset - b.offset);
}
