import type { Token, Tokenizer } from './_tokenizer.js';

/** Every top-level keyword of the DBC format, used and skipped ones alike. */
export const DBC_KEYWORDS: ReadonlySet<string> = new Set([
  'VERSION', 'NS_', 'BS_', 'BU_', 'BO_', 'SG_', 'EV_', 'CM_', 'BA_DEF_', 'BA_DEF_DEF_', 'BA_', 'VAL_',
  'VAL_TABLE_', 'SIG_VALTYPE_', 'BO_TX_BU_', 'SG_MUL_VAL_', 'ENVVAR_DATA_', 'SGTYPE_', 'SGTYPE_VAL_',
  'BA_DEF_SGTYPE_', 'BA_SGTYPE_', 'SIG_TYPE_REF_', 'SIG_GROUP_', 'SIGTYPE_VALTYPE_', 'BA_DEF_REL_',
  'BA_REL_', 'BA_DEF_DEF_REL_', 'BU_SG_REL_', 'BU_EV_REL_', 'BU_BO_REL_', 'CAT_DEF_', 'CAT_', 'FILTER',
  'NS_DESC_', 'EV_DATA_',
]);

/** Thrown inside a statement parser when the text departs from the grammar; caught per statement. */
export class SyntaxStop extends Error {
  constructor(
    readonly token: Token,
    readonly expected: string,
  ) {
    super(`expected ${expected}`);
  }
}

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the file';
    case 'string':
      return `the string "${token.text.length > 40 ? `${token.text.slice(0, 40)}...` : token.text}"`;
    default:
      return `\`${token.text.length > 40 ? `${token.text.slice(0, 40)}...` : token.text}\``;
  }
}

/** True when `token` starts a new statement: a keyword first on its line. */
export function startsStatement(token: Token): boolean {
  return token.kind === 'eof' || (token.firstOnLine && token.kind === 'ident' && DBC_KEYWORDS.has(token.text));
}

/** Consumes the next token when `accept` says it fits; otherwise throws without consuming it. */
export function expectToken(t: Tokenizer, accept: (token: Token) => boolean, what: string): Token {
  const token = t.peek();
  if (!accept(token)) throw new SyntaxStop(token, what);
  return t.next();
}

export function expectPunct(t: Tokenizer, ch: string, what = `\`${ch}\``): Token {
  return expectToken(t, (token) => token.kind === 'punct' && token.text === ch, what);
}

export function acceptPunct(t: Tokenizer, ch: string): boolean {
  const token = t.peek();
  if (token.kind !== 'punct' || token.text !== ch) return false;
  t.next();
  return true;
}

export function expectIdent(t: Tokenizer, what: string): Token {
  return expectToken(t, (token) => token.kind === 'ident', what);
}

export function expectString(t: Tokenizer, what: string): string {
  return expectToken(t, (token) => token.kind === 'string', what).text;
}

/** A number with an optional sign (`-40`, `+1`, `1E-005`). */
export function expectNumber(t: Tokenizer, what: string): number {
  const first = t.peek();
  const signed = first.kind === 'punct' && (first.text === '-' || first.text === '+');
  const token = signed ? t.peek(1) : first;
  const value = (signed && first.text === '-' ? -1 : 1) * Number(token.text);
  if (token.kind !== 'number' || !Number.isFinite(value)) throw new SyntaxStop(token, what);
  if (signed) t.next();
  t.next();
  return value;
}

/** A whole number within the safe integer range (ids, bit positions, lengths). */
export function expectInteger(t: Tokenizer, what: string): number {
  const token = t.peek();
  const value = expectNumber(t, what);
  if (!Number.isSafeInteger(value)) throw new SyntaxStop(token, what);
  return value;
}

/** True when the next token is on the same line as the statement so far. */
export function onSameLine(t: Tokenizer): boolean {
  const token = t.peek();
  return token.kind !== 'eof' && !token.firstOnLine;
}

/**
 * Skips the rest of a statement after a syntax error: up to and including the next `;`, or up
 * to the next keyword that starts a line (statements without `;` end at the line).
 */
export function skipStatement(t: Tokenizer): void {
  for (;;) {
    const token = t.peek();
    if (token.kind === 'eof' || startsStatement(token)) return;
    t.next();
    if (token.kind === 'punct' && token.text === ';') return;
  }
}
