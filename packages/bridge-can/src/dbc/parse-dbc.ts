import { buildDatabase } from './_build.js';
import { emptyRaw, problemAt, type ParseState } from './_raw.js';
import { parseMessage, parseMuxValues, parseSenders, parseSignal, parseValueType } from './_statements-message.js';
import {
  parseAttribute,
  parseAttributeDefault,
  parseAttributeDefinition,
  parseBitTiming,
  parseComment,
  parseNewSymbols,
  parseNodes,
  parseValueDescriptions,
  parseValueTable,
  parseVersion,
} from './_statements-meta.js';
import { DBC_KEYWORDS, describeToken, skipStatement, SyntaxStop } from './_syntax.js';
import { createTokenizer, type Token, type Tokenizer } from './_tokenizer.js';
import { DBC_LIMITS, type DbcLimits } from './limits.js';
import type { DbcParseResult, DbcProblem } from './types.js';

/** Options of {@link parseDbc}. */
export interface ParseDbcOptions {
  /** The name problems and locations carry (a path, as the user wrote it). Default `input.dbc`. */
  file?: string;
  /** Bounds on what the text may make the parser hold. Default {@link DBC_LIMITS}. */
  limits?: Partial<DbcLimits>;
}

type StatementParser = (t: Tokenizer, state: ParseState, keyword: Token) => void;

const PARSERS: Record<string, StatementParser> = {
  VERSION: (t, s) => parseVersion(t, s),
  NS_: (t) => parseNewSymbols(t),
  BS_: (t) => parseBitTiming(t),
  BU_: (t, s) => parseNodes(t, s),
  VAL_TABLE_: parseValueTable,
  BO_: parseMessage,
  SG_: parseSignal,
  BO_TX_BU_: parseSenders,
  CM_: parseComment,
  BA_DEF_: parseAttributeDefinition,
  BA_DEF_DEF_: parseAttributeDefault,
  BA_: parseAttribute,
  VAL_: parseValueDescriptions,
  SIG_VALTYPE_: parseValueType,
  SG_MUL_VAL_: parseMuxValues,
};

/**
 * Parses the text of one DBC file. Never throws: a statement that does not follow the grammar
 * becomes a `syntax` problem naming file:line:column and what was expected, and parsing goes
 * on at the next statement; sections the bridge does not use (environment variables, signal
 * groups, relations...) are skipped. References between statements (comments, attributes,
 * value tables, float types, extended multiplexing) are resolved at the end, in any order.
 */
export function parseDbc(text: string, options: ParseDbcOptions = {}): DbcParseResult {
  const file = options.file ?? 'input.dbc';
  const limits: DbcLimits = { ...DBC_LIMITS, ...options.limits };
  const problems: DbcProblem[] = [];
  const state: ParseState = { raw: emptyRaw(file), problems, limits, signalCount: 0, otherCount: 0, current: undefined, skipSignals: false, limitsHit: new Set() };
  if (text.length > limits.maxFileBytes) {
    problemAt(state, 'limit', { line: 1, column: 1 }, `the file is ${text.length} characters long, over the limit of ${limits.maxFileBytes}; it was not read`);
    return { database: buildDatabase(state.raw, problems), problems };
  }
  const t = createTokenizer(text, file, limits, problems);
  for (;;) {
    const keyword = t.next();
    if (keyword.kind === 'eof') break;
    if (keyword.kind !== 'ident' || !DBC_KEYWORDS.has(keyword.text)) {
      problemAt(state, 'syntax', keyword, `expected a DBC keyword (BO_, SG_, CM_, BA_, VAL_...), found ${describeToken(keyword)}`);
      skipStatement(t);
      continue;
    }
    if (keyword.text !== 'SG_') {
      state.current = undefined;
      state.skipSignals = false;
    }
    const parse = PARSERS[keyword.text];
    state.defining = undefined;
    try {
      if (parse) parse(t, state, keyword);
      else skipStatement(t);
    } catch (err) {
      if (!(err instanceof SyntaxStop)) throw err;
      // Set by the statement's parser, which TypeScript's narrowing does not see.
      const lost = state.defining as ParseState['defining'];
      const what = lost ? `; ${lost.signal === undefined ? `message ${lost.message} and its signals were` : `signal ${lost.signal} of ${lost.message} was`} dropped` : '';
      problemAt(state, 'syntax', err.token, `${keyword.text}: expected ${err.expected}, found ${describeToken(err.token)}${what}`);
      if (lost) state.problems[state.problems.length - 1]!.dropped = lost;
      // The signals of a message whose BO_ line is broken are lost with it; one report is enough.
      if (keyword.text === 'BO_') state.skipSignals = true;
      // The failing token may itself begin the next statement; never skip past one.
      skipStatement(t);
    }
  }
  return { database: buildDatabase(state.raw, problems), problems };
}

/** `file:line:column: message`, the way compilers print it. */
export function formatDbcProblem(problem: DbcProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
