import type { DbcLimits } from './limits.js';
import type { DbcProblem } from './types.js';

/** Token kinds. Numbers carry no sign: `-` and `+` are punctuation the parser joins. */
export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text; for strings, the content with escapes resolved. */
  text: string;
  line: number;
  column: number;
  /** No other token precedes it on its line. */
  firstOnLine: boolean;
}

export interface Tokenizer {
  next(): Token;
  peek(ahead?: number): Token;
}

const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

/**
 * Lines longer than the limit are blanked (their newline kept, so line numbers stay right) and
 * reported; the text is copied only when there is such a line.
 */
function boundLines(text: string, file: string, limits: DbcLimits, problems: DbcProblem[]): string {
  let start = 0;
  let line = 1;
  let parts: string[] | undefined;
  let copiedTo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > limits.maxLineLength) {
      problems.push({ kind: 'limit', file, line, column: 1, message: `line ${line} is ${end - start} characters long, over the limit of ${limits.maxLineLength}; it was skipped` });
      parts ??= [];
      parts.push(text.slice(copiedTo, start));
      copiedTo = end;
    }
    start = end + 1;
    line++;
  }
  if (!parts) return text;
  parts.push(text.slice(copiedTo));
  return parts.join('');
}

/** A lazy tokenizer over DBC text; problems (bad strings, long lines) go to `problems`. */
export function createTokenizer(source: string, file: string, limits: DbcLimits, problems: DbcProblem[]): Tokenizer {
  const text = boundLines(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source, file, limits, problems);
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let lastTokenLine = 0;
  const buffered: Token[] = [];

  function skipSpace(): void {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 10) {
        pos++;
        line++;
        lineStart = pos;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
        pos++;
      } else if (c === 47 && text.charCodeAt(pos + 1) === 47) {
        // `//` comments are not in the DBC grammar but occur in hand-edited files.
        const nl = text.indexOf('\n', pos);
        pos = nl < 0 ? text.length : nl;
      } else {
        return;
      }
    }
  }

  function readString(startLine: number, startColumn: number): string {
    const open = pos;
    const openLineStart = lineStart;
    pos++;
    let out = '';
    let chunkStart = pos;
    const keep = (until: number): void => {
      if (out.length < limits.maxStringLength) out += text.slice(chunkStart, Math.min(until, chunkStart + limits.maxStringLength - out.length));
    };
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      // A quote doubled inside a string is one quote, as some editors write it (`""quoted""`):
      // two strings are never written without a space or a comma between them.
      if (c === 34 && text.charCodeAt(pos + 1) === 34) {
        keep(pos + 1);
        chunkStart = pos + 2;
        pos += 2;
        continue;
      }
      if (c === 34) {
        keep(pos);
        pos++;
        if (pos - open - 2 > limits.maxStringLength) {
          problems.push({ kind: 'limit', file, line: startLine, column: startColumn, message: `a string is longer than ${limits.maxStringLength} characters; the rest of it was dropped` });
        }
        return out;
      }
      if (c === 92 && (text.charCodeAt(pos + 1) === 34 || text.charCodeAt(pos + 1) === 92)) {
        keep(pos);
        chunkStart = pos + 1;
        pos += 2;
        continue;
      }
      if (c === 10) {
        line++;
        lineStart = pos + 1;
      }
      pos++;
    }
    // Not closed before the end of the file: end it at the end of its first line so that the
    // statements after it still parse.
    problems.push({ kind: 'syntax', file, line: startLine, column: startColumn, message: 'a string is not closed: add the missing `"`' });
    const firstNl = text.indexOf('\n', open);
    pos = firstNl < 0 ? text.length : firstNl;
    line = startLine;
    lineStart = openLineStart;
    return text.slice(open + 1, Math.min(pos, open + 1 + limits.maxStringLength));
  }

  function scan(): Token {
    skipSpace();
    const column = pos - lineStart + 1;
    const tokenLine = line;
    const firstOnLine = tokenLine !== lastTokenLine;
    lastTokenLine = tokenLine;
    if (pos >= text.length) return { kind: 'eof', text: '', line: tokenLine, column, firstOnLine };
    const c = text.charCodeAt(pos);
    const start = pos;
    if (isIdentStart(c)) {
      while (pos < text.length && isIdentPart(text.charCodeAt(pos))) pos++;
      return { kind: 'ident', text: text.slice(start, pos), line: tokenLine, column, firstOnLine };
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) {
      while (isDigit(text.charCodeAt(pos))) pos++;
      if (text.charCodeAt(pos) === 46) {
        pos++;
        while (isDigit(text.charCodeAt(pos))) pos++;
      }
      const e = text.charCodeAt(pos);
      if (e === 69 || e === 101) {
        const sign = text.charCodeAt(pos + 1);
        const digitAt = sign === 43 || sign === 45 ? pos + 2 : pos + 1;
        if (isDigit(text.charCodeAt(digitAt))) {
          pos = digitAt;
          while (isDigit(text.charCodeAt(pos))) pos++;
        }
      }
      return { kind: 'number', text: text.slice(start, pos), line: tokenLine, column, firstOnLine };
    }
    if (c === 34) return { kind: 'string', text: readString(tokenLine, column), line: tokenLine, column, firstOnLine };
    pos++;
    return { kind: 'punct', text: text[start] ?? '', line: tokenLine, column, firstOnLine };
  }

  return {
    next() {
      return buffered.shift() ?? scan();
    },
    peek(ahead = 0) {
      while (buffered.length <= ahead) buffered.push(scan());
      return buffered[ahead]!;
    },
  };
}
