import { countOther, problemAt, type ParseState, type RawTarget } from './_raw.js';
import {
  acceptPunct,
  DBC_KEYWORDS,
  expectIdent,
  expectInteger,
  expectNumber,
  expectPunct,
  expectString,
  onSameLine,
  SyntaxStop,
} from './_syntax.js';
import type { Token, Tokenizer } from './_tokenizer.js';
import type { AttributeValue, DbcAttributeDefinition, DbcObjectType } from './types.js';

const loc = (state: ParseState, at: Token) => ({ file: state.raw.file, line: at.line, column: at.column });

/** `VERSION "text"` */
export function parseVersion(t: Tokenizer, state: ParseState): void {
  state.raw.version = expectString(t, 'the version string');
}

/**
 * `NS_ :` and its list of symbols, one per line and normally indented. The list ends at the
 * first statement: a token at column 1 that has more on its line (NS_ entries stand alone).
 */
export function parseNewSymbols(t: Tokenizer): void {
  acceptPunct(t, ':');
  for (;;) {
    const token = t.peek();
    if (token.kind === 'eof') return;
    if (token.firstOnLine && token.column === 1) {
      const next = t.peek(1);
      const alone = next.kind === 'eof' || next.firstOnLine;
      if (!(alone && token.kind === 'ident' && token.text !== 'BS_' && token.text !== 'BU_')) return;
    }
    t.next();
  }
}

/** `BS_: [baud : btr1, btr2]` (obsolete bit timing), skipped to the end of its line. */
export function parseBitTiming(t: Tokenizer): void {
  while (onSameLine(t)) t.next();
}

/** `BU_: node node ...`, continued on indented lines. */
export function parseNodes(t: Tokenizer, state: ParseState): void {
  expectPunct(t, ':', '`:` after BU_');
  for (;;) {
    const token = t.peek();
    if (token.kind !== 'ident' || DBC_KEYWORDS.has(token.text) || (token.firstOnLine && token.column === 1)) return;
    t.next();
    if (countOther(state, token)) state.raw.nodes.push({ name: token.text, location: loc(state, token) });
  }
}

/** Pairs of `<number> "<text>"` up to `;`. */
function parseValuePairs(t: Tokenizer, state: ParseState, at: Token): Map<number, string> {
  const values = new Map<number, string>();
  while (!acceptPunct(t, ';')) {
    const value = expectNumber(t, 'a raw value (a number) or `;`');
    const text = expectString(t, 'the text for the value (a quoted string)');
    const before = values.get(value);
    if (before !== undefined && before !== text) problemAt(state, 'duplicate_value', at, `raw value ${value} is given two texts, "${before}" then "${text}"; the later is used`);
    if (values.size < state.limits.maxValueTableEntries || before !== undefined) values.set(value, text);
    else if (!state.limitsHit.has(`values:${at.line}`)) {
      state.limitsHit.add(`values:${at.line}`);
      problemAt(state, 'limit', at, `a value table has more than ${state.limits.maxValueTableEntries} entries; the rest were ignored`);
    }
  }
  return values;
}

/** `VAL_TABLE_ <name> <value> "<text>" ... ;` */
export function parseValueTable(t: Tokenizer, state: ParseState, keyword: Token): void {
  const name = expectIdent(t, 'the value table name').text;
  const values = parseValuePairs(t, state, keyword);
  if (countOther(state, keyword)) state.raw.valueTables.set(name, values);
}

/** `VAL_ <message id> <signal> <value> "<text>" ... ;` (environment variable tables are skipped). */
export function parseValueDescriptions(t: Tokenizer, state: ParseState, keyword: Token): void {
  const first = t.peek();
  if (first.kind === 'ident') {
    t.next();
    parseValuePairs(t, state, keyword);
    return;
  }
  const rawId = expectInteger(t, 'the message id');
  const signal = expectIdent(t, 'the signal name').text;
  const values = parseValuePairs(t, state, keyword);
  if (countOther(state, keyword)) state.raw.valueDescriptions.push({ rawId, signal, values, location: loc(state, keyword) });
}

/** The object part of `CM_` and `BA_`: nothing (network), `BU_ node`, `BO_ id`, `SG_ id signal` or `EV_ name`. */
function parseTarget(t: Tokenizer): RawTarget {
  const token = t.peek();
  if (token.kind !== 'ident') return { type: 'network' };
  switch (token.text) {
    case 'BU_':
      t.next();
      return { type: 'node', name: expectIdent(t, 'the node name').text };
    case 'BO_':
      t.next();
      return { type: 'message', rawId: expectInteger(t, 'the message id') };
    case 'SG_': {
      t.next();
      const rawId = expectInteger(t, 'the message id');
      return { type: 'signal', rawId, name: expectIdent(t, 'the signal name').text };
    }
    case 'EV_':
      t.next();
      return { type: 'envvar', name: expectIdent(t, 'the environment variable name').text };
    default:
      throw new SyntaxStop(token, 'BU_, BO_, SG_, EV_ or a quoted string');
  }
}

/** `CM_ [target] "text";` */
export function parseComment(t: Tokenizer, state: ParseState, keyword: Token): void {
  const target = parseTarget(t);
  const text = expectString(t, 'the comment (a quoted string)');
  expectPunct(t, ';', '`;` after the comment');
  if (countOther(state, keyword)) state.raw.comments.push({ target, text, location: loc(state, keyword) });
}

const OBJECT_TYPES: Record<string, DbcObjectType> = { BU_: 'node', BO_: 'message', SG_: 'signal', EV_: 'envvar' };

/** `BA_DEF_ [BU_|BO_|SG_|EV_] "name" INT|HEX|FLOAT min max | STRING | ENUM "a","b" ;` */
export function parseAttributeDefinition(t: Tokenizer, state: ParseState, keyword: Token): void {
  let objectType: DbcObjectType = 'network';
  const first = t.peek();
  if (first.kind === 'ident') {
    const type = OBJECT_TYPES[first.text];
    if (!type) throw new SyntaxStop(first, 'BU_, BO_, SG_, EV_ or the attribute name (a quoted string)');
    objectType = type;
    t.next();
  }
  const name = expectString(t, 'the attribute name (a quoted string)');
  const typeToken = expectIdent(t, 'the attribute type: INT, HEX, FLOAT, STRING or ENUM');
  const definition: DbcAttributeDefinition = { name, objectType, type: 'STRING' };
  switch (typeToken.text) {
    case 'INT':
    case 'HEX':
    case 'FLOAT':
      definition.type = typeToken.text;
      definition.minimum = expectNumber(t, 'the minimum (a number)');
      definition.maximum = expectNumber(t, 'the maximum (a number)');
      break;
    case 'STRING':
      break;
    case 'ENUM': {
      definition.type = 'ENUM';
      const values: string[] = [];
      while (t.peek().kind === 'string') {
        values.push(t.next().text);
        if (!acceptPunct(t, ',')) break;
      }
      definition.enumValues = values;
      break;
    }
    default:
      throw new SyntaxStop(typeToken, 'the attribute type: INT, HEX, FLOAT, STRING or ENUM');
  }
  expectPunct(t, ';', '`;` at the end of BA_DEF_');
  if (countOther(state, keyword)) state.raw.attributeDefinitions.push({ ...definition, location: loc(state, keyword) });
}

function parseAttributeValue(t: Tokenizer): AttributeValue {
  const token = t.peek();
  if (token.kind === 'string') return t.next().text;
  return expectNumber(t, 'the attribute value (a number or a quoted string)');
}

/** `BA_DEF_DEF_ "name" value;` */
export function parseAttributeDefault(t: Tokenizer, state: ParseState, keyword: Token): void {
  const name = expectString(t, 'the attribute name (a quoted string)');
  const value = parseAttributeValue(t);
  expectPunct(t, ';', '`;` at the end of BA_DEF_DEF_');
  if (countOther(state, keyword)) state.raw.attributeDefaults.push({ name, value, location: loc(state, keyword) });
}

/** `BA_ "name" [target] value;` */
export function parseAttribute(t: Tokenizer, state: ParseState, keyword: Token): void {
  const name = expectString(t, 'the attribute name (a quoted string)');
  const target = parseTarget(t);
  const value = parseAttributeValue(t);
  expectPunct(t, ';', '`;` at the end of BA_');
  if (countOther(state, keyword)) state.raw.attributeValues.push({ name, target, value, location: loc(state, keyword) });
}

