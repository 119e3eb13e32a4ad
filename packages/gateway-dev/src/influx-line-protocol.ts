import { GatewayError } from './errors.js';

/** Unit of line protocol timestamps, as InfluxDB's `precision` query parameter names it. */
export type LineProtocolPrecision = 'ns' | 'us' | 'ms' | 's';

/** A field value: floats and `i`/`u` integers become numbers (integers past 2^53 lose precision). */
export type LineProtocolFieldValue = number | string | boolean;

/** One parsed line. */
export interface LineProtocolRecord {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, LineProtocolFieldValue>;
  /** Milliseconds since the epoch (fractions kept); undefined when the line had no timestamp. */
  timestampMs?: number;
  /** 1-based line number where the record starts. */
  line: number;
}

const FRACTION_DIGITS: Record<LineProtocolPrecision, number> = { ns: 6, us: 3, ms: 0, s: -3 };
const BOOLEANS: Record<string, boolean> = {
  t: true, T: true, true: true, True: true, TRUE: true,
  f: false, F: false, false: false, False: false, FALSE: false,
};
const FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+i$/;
const UNSIGNED = /^\d+u$/;
const TIMESTAMP = /^-?\d+$/;
const [NL, CR, SPACE, TAB, QUOTE, HASH, COMMA, EQUALS, BACKSLASH] = [10, 13, 32, 9, 34, 35, 44, 61, 92];

/** Integer digits to ms without going through a float of the full value (ns timestamps pass 2^53). */
function toMs(raw: string, precision: LineProtocolPrecision): number {
  const negative = raw.startsWith('-');
  const digits = negative ? raw.slice(1) : raw;
  const shift = FRACTION_DIGITS[precision];
  let ms: number;
  if (shift <= 0) {
    ms = Number(digits) * 10 ** -shift;
  } else {
    const cut = Math.max(0, digits.length - shift);
    ms = Number(digits.slice(0, cut) || '0') + Number(digits.slice(cut)) / 10 ** shift;
  }
  return negative ? -ms : ms;
}

function fieldValue(token: string): LineProtocolFieldValue | undefined {
  const last = token.charAt(token.length - 1);
  if ((last === 'i' && INTEGER.test(token)) || (last === 'u' && UNSIGNED.test(token))) return Number(token.slice(0, -1));
  const bool = BOOLEANS[token];
  if (bool !== undefined) return bool;
  if (FLOAT.test(token)) {
    const n = Number(token);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Parses InfluxDB v2 line protocol: `measurement[,tag=v...] field=v[,field=v...] [timestamp]`.
 * Measurement, tag keys, tag values and field keys unescape `\,` `\=` `\ ` and `\\` (any other
 * backslash stays literal); string fields are double-quoted with `\"` and `\\` escapes and may
 * span lines; integers carry `i` (or `u`); booleans are t/T/true/True/TRUE and f/F/false/...;
 * blank lines and `#` comments are skipped; `\r\n` line ends are accepted.
 * Throws `GatewayError` (`LINE_PROTOCOL_INVALID`) naming the line of the first problem.
 */
export function parseLineProtocol(text: string, precision: LineProtocolPrecision = 'ns'): LineProtocolRecord[] {
  if (!Object.hasOwn(FRACTION_DIGITS, precision)) {
    throw new GatewayError('LINE_PROTOCOL_INVALID', `precision must be ns, us, ms or s, not "${String(precision)}"`);
  }
  const records: LineProtocolRecord[] = [];
  const len = text.length;
  let pos = 0;
  let line = 1;
  const fail = (problem: string): never => {
    throw new GatewayError('LINE_PROTOCOL_INVALID', `line ${line}: ${problem}`);
  };
  const code = (): number => text.charCodeAt(pos);

  /** Reads up to an unescaped `,`, space or line end (and `=` when asked). */
  const readName = (stopAtEquals: boolean): string => {
    let out = '';
    let start = pos;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === BACKSLASH) {
        const next = text.charCodeAt(pos + 1);
        if (next === COMMA || next === EQUALS || next === SPACE || next === BACKSLASH) {
          out += text.slice(start, pos) + text.charAt(pos + 1);
          pos += 2;
          start = pos;
          continue;
        }
      } else if (c === COMMA || c === SPACE || c === NL || c === CR || (stopAtEquals && c === EQUALS)) {
        break;
      }
      pos += 1;
    }
    return out + text.slice(start, pos);
  };
  const readString = (): string => {
    let out = '';
    let start = ++pos;
    for (;;) {
      if (pos >= len) return fail('unterminated string field value');
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH && (text.charCodeAt(pos + 1) === QUOTE || text.charCodeAt(pos + 1) === BACKSLASH)) {
        out += text.slice(start, pos) + text.charAt(pos + 1);
        pos += 2;
        start = pos;
        continue;
      }
      if (c === NL) line += 1;
      pos += 1;
    }
    out += text.slice(start, pos);
    pos += 1;
    return out;
  };
  /** Reads an unquoted value or timestamp: up to `,`, space or line end. */
  const readToken = (): string => {
    const start = pos;
    for (let c = code(); pos < len && c !== COMMA && c !== SPACE && c !== NL && c !== CR; c = code()) pos += 1;
    return text.slice(start, pos);
  };
  const skip = (a: number, b = a): void => {
    while (pos < len && (code() === a || code() === b)) pos += 1;
  };

  const parseLine = (): LineProtocolRecord => {
    const record: LineProtocolRecord = { measurement: readName(false), tags: {}, fields: {}, line };
    if (record.measurement === '') fail('missing measurement');
    while (code() === COMMA) {
      pos += 1;
      const key = readName(true);
      if (key === '' || code() !== EQUALS) fail(`tag "${key}" must be key=value`);
      pos += 1;
      const value = readName(false);
      if (value === '') fail(`tag "${key}" has an empty value`);
      record.tags[key] = value;
    }
    if (code() !== SPACE) fail('missing fields after the measurement and tags');
    skip(SPACE);
    for (;;) {
      const key = readName(true);
      if (key === '' || code() !== EQUALS) fail(`field "${key}" must be key=value`);
      pos += 1;
      const value = code() === QUOTE ? readString() : fieldValue(readToken());
      if (value === undefined) fail(`field "${key}" has an invalid value`);
      record.fields[key] = value as LineProtocolFieldValue;
      if (code() !== COMMA) break;
      pos += 1;
    }
    skip(SPACE);
    if (pos < len && code() !== NL && code() !== CR) {
      const raw = readToken();
      if (!TIMESTAMP.test(raw)) fail(`timestamp "${raw}" must be an integer`);
      record.timestampMs = toMs(raw, precision);
    }
    skip(SPACE, CR);
    if (pos < len && code() !== NL) {
      fail(`unexpected "${text.charAt(pos)}" after the ${record.timestampMs === undefined ? 'fields' : 'timestamp'}`);
    }
    return record;
  };

  while (pos < len) {
    const c = code();
    if (c === NL) {
      line += 1;
      pos += 1;
    } else if (c === SPACE || c === TAB || c === CR) {
      pos += 1;
    } else if (c === HASH) {
      while (pos < len && code() !== NL) pos += 1;
    } else {
      records.push(parseLine());
    }
  }
  return records;
}
