import { problemAt, type ParseState, type RawSignal } from './_raw.js';
import {
  acceptPunct,
  expectIdent,
  expectInteger,
  expectNumber,
  expectPunct,
  expectString,
  expectToken,
  onSameLine,
  startsStatement,
  SyntaxStop,
} from './_syntax.js';
import type { Token, Tokenizer } from './_tokenizer.js';
import type { DbcMuxRange } from './types.js';

const MUX = /^m(\d+)(M?)$/;

/** `BO_ <id> <name>: <length> <transmitter>` */
export function parseMessage(t: Tokenizer, state: ParseState, keyword: Token): void {
  const rawId = expectInteger(t, 'the message id (a number)');
  const name = expectIdent(t, 'the message name').text;
  state.defining = { message: name };
  expectPunct(t, ':', '`:` after the message name');
  const length = expectInteger(t, 'the message length in bytes');
  // Some writers leave the transmitter out.
  const transmitter = onSameLine(t) && t.peek().kind === 'ident' ? t.next().text : 'Vector__XXX';
  if (rawId < 0 || rawId > 0xffffffff) throw new SyntaxStop(keyword, `a message id between 0 and 4294967295 (found ${rawId})`);
  state.current = undefined;
  if (state.raw.messages.length >= state.limits.maxMessages) {
    state.skipSignals = true;
    if (!state.limitsHit.has('messages')) {
      state.limitsHit.add('messages');
      problemAt(state, 'limit', keyword, `more than ${state.limits.maxMessages} messages; the rest were ignored`);
    }
    return;
  }
  const message = { rawId, name, length, transmitter, signals: [], location: { file: state.raw.file, line: keyword.line, column: keyword.column } };
  state.raw.messages.push(message);
  state.current = message;
}

/** `SG_ <name> [M|mN|mNM] : <start>|<length>@<order><sign> (<factor>,<offset>) [<min>|<max>] "<unit>" <receivers>` */
export function parseSignal(t: Tokenizer, state: ParseState, keyword: Token): void {
  const name = expectIdent(t, 'the signal name').text;
  if (state.current) state.defining = { message: state.current.name, signal: name };
  let isSwitch = false;
  let muxValue: number | undefined;
  const maybeMux = t.peek();
  if (maybeMux.kind === 'ident' && !maybeMux.firstOnLine) {
    t.next();
    const m = MUX.exec(maybeMux.text);
    if (maybeMux.text === 'M') isSwitch = true;
    else if (m) {
      muxValue = Number(m[1]);
      isSwitch = m[2] === 'M';
    } else throw new SyntaxStop(maybeMux, '`:` or a multiplexer indicator (`M`, `m3`, `m3M`)');
  }
  expectPunct(t, ':', '`:` after the signal name');
  const startBit = expectInteger(t, 'the start bit');
  expectPunct(t, '|', '`|` between start bit and length');
  const length = expectInteger(t, 'the signal length in bits');
  expectPunct(t, '@', '`@` before the byte order');
  const orderToken = expectToken(
    t,
    (token) => token.kind === 'number' && (token.text === '0' || token.text === '1'),
    'the byte order: 0 (big-endian, Motorola) or 1 (little-endian, Intel)',
  );
  const signToken = expectToken(
    t,
    (token) => token.kind === 'punct' && (token.text === '+' || token.text === '-'),
    '`+` (unsigned) or `-` (signed) after the byte order',
  );
  expectPunct(t, '(', '`(` before the factor');
  const factor = expectNumber(t, 'the factor (a number)');
  expectPunct(t, ',', '`,` between factor and offset');
  const offset = expectNumber(t, 'the offset (a number)');
  expectPunct(t, ')', '`)` after the offset');
  expectPunct(t, '[', '`[` before the minimum');
  const minimum = expectNumber(t, 'the minimum (a number)');
  expectPunct(t, '|', '`|` between minimum and maximum');
  const maximum = expectNumber(t, 'the maximum (a number)');
  expectPunct(t, ']', '`]` after the maximum');
  const unit = expectString(t, 'the unit (a quoted string, possibly empty)');
  const receivers: string[] = [];
  // Receivers end with the line; commas between them, though some files use spaces.
  while (onSameLine(t)) {
    const token = t.next();
    if (token.kind === 'ident') receivers.push(token.text);
    else if (!(token.kind === 'punct' && token.text === ',')) throw new SyntaxStop(token, 'a receiving node name');
  }
  const message = state.current;
  if (!message) {
    if (!state.skipSignals) problemAt(state, 'syntax', keyword, `signal ${name} is not inside a message: SG_ lines must follow their BO_ line`);
    return;
  }
  if (message.signals.length >= state.limits.maxSignalsPerMessage || state.signalCount >= state.limits.maxSignals) {
    const key = message.signals.length >= state.limits.maxSignalsPerMessage ? `signals:${message.rawId}` : 'signals';
    if (!state.limitsHit.has(key)) {
      state.limitsHit.add(key);
      problemAt(state, 'limit', keyword, key === 'signals' ? `more than ${state.limits.maxSignals} signals; the rest were ignored` : `message ${message.name} has more than ${state.limits.maxSignalsPerMessage} signals; the rest were ignored`);
    }
    return;
  }
  state.signalCount++;
  if (factor === 0) problemAt(state, 'constant_signal', keyword, `signal ${name} of ${message.name} has factor 0: every frame decodes as its offset (${offset}); kept as written`);
  const signal: RawSignal = {
    name,
    switch: isSwitch,
    startBit,
    length,
    byteOrder: orderToken.text === '1' ? 'little_endian' : 'big_endian',
    signed: signToken.text === '-',
    factor,
    offset,
    minimum,
    maximum,
    unit,
    receivers,
    location: { file: state.raw.file, line: keyword.line, column: keyword.column },
  };
  if (muxValue !== undefined) signal.muxValue = muxValue;
  message.signals.push(signal);
}

/** `BO_TX_BU_ <id> : <node>,<node>;` */
export function parseSenders(t: Tokenizer, state: ParseState, keyword: Token): void {
  const rawId = expectInteger(t, 'the message id');
  expectPunct(t, ':', '`:` after the message id');
  const nodes: string[] = [];
  while (!acceptPunct(t, ';')) {
    const token = t.peek();
    if (token.kind === 'ident' && !startsStatement(token)) nodes.push(t.next().text);
    else if (token.kind === 'punct' && token.text === ',') t.next();
    else throw new SyntaxStop(token, 'a node name or `;`');
  }
  state.raw.senders.push({ rawId, nodes, location: { file: state.raw.file, line: keyword.line, column: keyword.column } });
}

/** `SIG_VALTYPE_ <id> <signal> : <1|2>;` (the colon is optional in some files). */
export function parseValueType(t: Tokenizer, state: ParseState, keyword: Token): void {
  const rawId = expectInteger(t, 'the message id');
  const signal = expectIdent(t, 'the signal name').text;
  acceptPunct(t, ':');
  const type = expectInteger(t, 'the value type: 0 (integer), 1 (float) or 2 (double)');
  expectPunct(t, ';', '`;` at the end of SIG_VALTYPE_');
  state.raw.valueTypes.push({ rawId, signal, type, location: { file: state.raw.file, line: keyword.line, column: keyword.column } });
}

/** `SG_MUL_VAL_ <id> <signal> <switch> <a>-<b>, <c>-<d>;` */
export function parseMuxValues(t: Tokenizer, state: ParseState, keyword: Token): void {
  const rawId = expectInteger(t, 'the message id');
  const signal = expectIdent(t, 'the multiplexed signal name').text;
  const switchName = expectIdent(t, 'the multiplexor signal name').text;
  const ranges: DbcMuxRange[] = [];
  do {
    const min = expectInteger(t, 'the first value of a range (`3-5`)');
    expectPunct(t, '-', '`-` inside a range (`3-5`)');
    const max = expectInteger(t, 'the last value of a range (`3-5`)');
    if (ranges.length < state.limits.maxValueTableEntries) ranges.push({ min: Math.min(min, max), max: Math.max(min, max) });
  } while (acceptPunct(t, ','));
  expectPunct(t, ';', '`,` or `;` after a range');
  state.raw.muxValues.push({ rawId, signal, switchName, ranges, location: { file: state.raw.file, line: keyword.line, column: keyword.column } });
}
