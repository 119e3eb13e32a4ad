import type { YAMLError } from 'yaml';
import { commentHidesClose } from './_flow-comment.js';
import { clip, indentOf, lineAt, looksLikeWindowsPath, nextContentLine, windowsPathMessage, previousContentLine, singleQuoted, sourceTokens, valueInLine, valueToLineEnd, type SourceHint, type SourceLine } from './_yaml-source.js';

/**
 * A YAML syntax error in plain words: what is wrong and what to write instead, at the place the
 * user must edit (which may be before where the parser noticed: the opening quote of a quote never
 * closed). Falls back to the parser's own first line for a mistake not recognised here.
 */
export function explainSyntaxError(error: YAMLError, text: string): SourceHint {
  const offset = Math.min(Math.max(error.pos[0], 0), text.length);
  const line = lineAt(text, offset);
  const first = error.message.split('\n')[0] ?? error.message;
  const at = (message: string, where = offset): SourceHint => ({ offset: where, message });
  if (error.code === 'DUPLICATE_KEY') return at(`duplicate key "${clip(/^[^:\n]*/.exec(text.slice(offset, offset + 300))![0].trim(), 64)}": each key may appear once in a mapping`);
  if (/:\s+-\s*(?:[,}\]]|$)/.test(line.text)) return at(`${first} (a value of a bare - is read as a list item: quote it, "-")`);
  if (line.text.includes('${') && (first.includes('${') || /flow/.test(first))) {
    return at(`${first} (a \${VAR} inside { } or [ ] must be quoted: "\${VAR}", which reads as text; for a number or true/false, write that key in block style)`);
  }
  return explainByCode(error, text, offset, line) ?? at(first);
}

function explainByCode(error: YAMLError, text: string, offset: number, at: SourceLine): SourceHint | undefined {
  const first = error.message.split('\n')[0] ?? '';
  // The parser may stop on the blank lines before the line at fault.
  const line = at.text.trim() === '' ? (nextContentLine(text, at) ?? at) : at;
  switch (error.code) {
    case 'RESOURCE_EXHAUSTION':
      return { offset, message: 'the file nests [ ] or { } (or indented blocks) too deeply to be read: is it the right file?' };
    case 'TAB_AS_INDENT':
      return { offset, message: `line ${line.number} is indented with a tab: YAML indents with spaces only; replace the tab with spaces (and set the editor to insert spaces for Tab)` };
    case 'BAD_SCALAR_START':
      return quoteTheValue(text, offset, `a value cannot start with ${text[offset]} unless it is in quotes`);
    case 'BAD_DQ_ESCAPE':
      return badEscape(text, offset);
    case 'MULTILINE_IMPLICIT_KEY':
      return missingSpace(line) ?? missingColon(text, line);
    case 'BLOCK_IN_FLOW': {
      const key = /\s([\w.-]+):(\s|$)/.exec(valueToLineEnd(text, offset));
      const where = key === null ? offset : offset + key.index + 1;
      return { offset: where, message: `inside { } or [ ], entries are separated by commas, and a value holding ": " or starting with "- " must be in quotes${key === null ? '' : `: is a , missing before ${key[1]}?`}` };
    }
    case 'MISSING_CHAR':
      if (/^Missing closing/.test(first)) return unclosedQuote(text, offset);
      if (/^Sequence item without/.test(first)) return misalignedKey(text, line);
      if (/^Implicit map keys need to be followed/.test(first)) return missingSpace(line) ?? notAKey(text, line);
      return undefined;
    case 'UNEXPECTED_TOKEN':
      if (/^Unexpected scalar at node end/.test(first)) return textAfterQuotes(text, offset);
      if (/^Unexpected block-seq-ind on same line/.test(first)) return { offset, message: `a list cannot start on the line of its key ("${clip(line.text.trim())}"): put each "- item" on its own line below, indented deeper than the key; if the - is part of the text, put the value in quotes` };
      if (/^Unexpected flow-(map|seq)-end/.test(first)) return { offset, message: `this ${text[offset]} closes nothing: remove it, or check that each { and [ on the line has its own } or ]` };
      return undefined;
    case 'BLOCK_AS_IMPLICIT_KEY':
      if (/^Nested mappings/.test(first)) return colonInValue(text, offset, line) ?? deeperKey(text, line);
      if (/^A block sequence/.test(first)) return misalignedItem(text, line);
      return undefined;
    case 'BAD_INDENT':
      if (/must be sufficiently indented and end with/.test(first)) return unclosedFlow(text, offset);
      if (/^All mapping items must start at the same column/.test(first)) return misalignedKey(text, line);
      if (/^All sequence items must start at the same column/.test(first)) return misalignedItem(text, line);
      return undefined;
    default:
      return undefined;
  }
}

/** `message`, then the line rewritten with the value from `offset` in single quotes. */
function quoteTheValue(text: string, offset: number, message: string): SourceHint {
  const line = lineAt(text, offset);
  const { value, after } = valueInLine(text, offset);
  const before = line.text.slice(0, offset - line.start).trim();
  return { offset, message: `${message}: write ${before ? `${before} ` : ''}${singleQuoted(value)}${after}` };
}

/** `key:value`: a key needs a space after its colon, or YAML reads the whole as text. */
function missingSpace(line: SourceLine): SourceHint | undefined {
  const match = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(\S.*)$/.exec(line.text);
  if (!match || match[3]!.startsWith(':')) return undefined;
  const [, lead, key, value] = match;
  return { offset: line.start + lead!.length, message: `"${clip(`${key}:${value}`)}" has no space after the colon, so YAML reads it as text, not a key: write ${key}: ${clip(value!)}` };
}

/** `key` followed by lines indented under it: the colon after the key is missing. */
function missingColon(text: string, line: SourceLine): SourceHint | undefined {
  const match = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*)\s*$/.exec(line.text);
  const next = nextContentLine(text, line);
  if (!match || next === undefined || indentOf(next.text) <= indentOf(line.text)) return undefined;
  return { offset: line.start + match[1]!.length + match[2]!.length, message: `"${clip(match[2]!)}" has no colon after it, so the lines indented under it are read as its text: write ${clip(match[2]!)}:` };
}

/** `\x` not an escape, or a Windows path in double quotes. */
function badEscape(text: string, offset: number): SourceHint {
  const quoted = sourceTokens(text).find((t) => t.type === 'double-quoted-scalar' && t.offset < offset && offset < t.offset + (t.source?.length ?? 0));
  const source = quoted?.source ?? '';
  const inner = source.slice(1, source.length > 1 && source.endsWith('"') ? -1 : undefined);
  if (quoted !== undefined && looksLikeWindowsPath(inner)) return { offset: quoted.offset, message: windowsPathMessage(inner, `${text.slice(offset, offset + 2)} is not an escape`) };
  return { offset, message: `${text.slice(offset, offset + 2)} is not an escape YAML knows inside double quotes: write \\\\ for a backslash, or put the value in single quotes, where a backslash is just a backslash` };
}

/** A quote opened and never closed: said at the opening quote. */
function unclosedQuote(text: string, offset: number): SourceHint | undefined {
  const open = sourceTokens(text)
    .filter((t) => (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && t.offset < offset)
    .pop();
  if (open === undefined) return undefined;
  const quote = text[open.offset]!;
  const where = lineAt(text, open.offset);
  return {
    offset: open.offset,
    message: `this ${quote} is never closed, so the value runs on to the end of the file: end it with ${quote} (line ${where.number} reads: ${clip(where.text.trim())})${quote === "'" ? `; a ' inside single quotes is written ''` : ''}`,
  };
}

/** A quoted value followed by more text (`"ns=3;s="DB"."T""`): the quotes end it early. */
function textAfterQuotes(text: string, offset: number): SourceHint | undefined {
  const line = lineAt(text, offset);
  const quoted = sourceTokens(text)
    .filter((t) => (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && t.offset >= line.start && t.offset < offset)
    .pop();
  if (quoted === undefined) return undefined;
  const quote = text[quoted.offset]!;
  const { value: written, after } = valueInLine(text, quoted.offset);
  const inner = written.slice(1, written.endsWith(quote) && written.length > 1 ? -1 : undefined);
  const key = line.text.slice(0, quoted.offset - line.start).trim();
  const fix = `${key ? `${key} ` : ''}${singleQuoted(inner)}${after}`;
  const problem =
    quote === '"'
      ? `the value in double quotes ends at its second ", and text follows it: to keep the " marks in the value, write it in single quotes: ${fix}`
      : `the value in single quotes ends at its second ', and text follows it: inside single quotes a ' is written twice: ${fix}`;
  return { offset: quoted.offset, message: problem };
}

/** `key: a: b` (a value holding ": "), or `- name: a, metric: b` (keys meant for `{ }`). */
function colonInValue(text: string, offset: number, line: SourceLine): SourceHint | undefined {
  const value = valueToLineEnd(text, offset);
  if (!/:(\s|$)/.test(value)) return undefined;
  const key = line.text.slice(0, offset - line.start).trim();
  if (/,\s*[\w.-]+:\s/.test(value)) {
    const item = /^-\s+/.test(key) ? '- ' : '';
    return { offset, message: `"${clip(`${key} ${value}`.replace(/^-\s+/, ''))}" reads as one key whose value holds ": ": to write several keys on one line, wrap them in { }: ${item}{ ${clip(`${key.replace(/^-\s+/, '')} ${value}`)} }; for one value holding ": ", put it in quotes` };
  }
  return { offset, message: `the value "${clip(value)}" holds ": ", which YAML reads as the start of another key: put the value in quotes: ${key} ${singleQuoted(value)}` };
}

/** A key indented deeper than the key above it, which already has a value. */
function deeperKey(text: string, line: SourceLine): SourceHint | undefined {
  const next = nextContentLine(text, line);
  const above = /^(\s*(?:-\s+)?)([^:]+):\s*(.*)$/.exec(line.text);
  if (next === undefined || above === null) return undefined;
  const key = above[2]!.trim();
  const nextKey = /^\s*([^:]+):/.exec(next.text)?.[1]?.trim() ?? clip(next.text.trim());
  const column = above[1]!.length + 1;
  return {
    offset: next.start + indentOf(next.text),
    message: `"${clip(nextKey)}:" is indented deeper than "${clip(key)}:" on line ${line.number}, which already has a value (${clip(above[3]!.replace(/\s+#.*$/, ''))}): line it up with ${clip(key)} (column ${column}), or, if it belongs inside ${clip(key)}, remove that value`,
  };
}

/** A key of a mapping (or of a list item) not lined up with the keys before it. */
function misalignedKey(text: string, line: SourceLine): SourceHint | undefined {
  const above = previousContentLine(text, line);
  if (above === undefined) return undefined;
  const keyColumn = /^(\s*(?:-\s+)?)/.exec(above.text)![1]!.length + 1;
  const own = indentOf(line.text) + 1;
  const key = /^\s*([^:]+:)/.exec(line.text)?.[1]?.trim() ?? clip(line.text.trim());
  const aboveKey = /^\s*(?:-\s+)?([^:]+):/.exec(above.text)?.[1]?.trim();
  const where = aboveKey === undefined ? `line ${above.number}` : `"${clip(aboveKey)}:" on line ${above.number}`;
  return {
    offset: line.start + indentOf(line.text),
    message: `"${clip(key)}" starts at column ${own}, but the keys above it start at column ${keyColumn} (${where}): keys of one mapping start at the same column; line it up with them${/^\s*-\s/.test(above.text) ? ', or start a new list item with "- "' : ''}`,
  };
}

/** A list item (`- `) at a column no list above it starts at. */
function misalignedItem(text: string, line: SourceLine): SourceHint | undefined {
  const own = indentOf(line.text);
  let above = previousContentLine(text, line);
  while (above !== undefined && !(/^\s*-(\s|$)/.test(above.text) && indentOf(above.text) !== own)) above = previousContentLine(text, above);
  if (above === undefined) return undefined;
  return {
    offset: line.start + own,
    message: `the list item "${clip(line.text.trim())}" starts at column ${own + 1}, but the item on line ${above.number} starts at column ${indentOf(above.text) + 1}: every "- " of one list starts at the same column; move it to column ${indentOf(above.text) + 1}`,
  };
}

/** A line that is not `key: value` inside a mapping: most often a value continued on the next line. */
function notAKey(text: string, line: SourceLine): SourceHint {
  const above = previousContentLine(text, line);
  const key = above === undefined ? undefined : /^\s*(?:-\s+)?([^:]+):/.exec(above.text)?.[1]?.trim();
  const block = key === undefined ? 'write the value as a block ("key: |" then its lines indented below)' : `write the value as a block ("${clip(key)}: |" then its lines indented below)`;
  return {
    offset: line.start + indentOf(line.text),
    message: `line ${line.number} ("${clip(line.text.trim())}") is not "key: value": if it continues the value above, indent it deeper than the key or ${block}; if it is a key, add ": " and its value`,
  };
}

/** A `[` or `{` never closed, said at its opening. */
function unclosedFlow(text: string, offset: number): SourceHint | undefined {
  const open = sourceTokens(text)
    .filter((t) => t.type === 'flow-collection' && t.offset < offset && !(t.end ?? []).some((e) => e === ']' || e === '}'))
    .pop();
  if (open === undefined) return undefined;
  const bracket = text[open.offset] === '[' ? '[' : '{';
  const close = bracket === '[' ? ']' : '}';
  const where = lineAt(text, open.offset);
  const hidden = commentHidesClose(where, open.offset - where.start, close);
  if (hidden !== undefined) return hidden;
  return {
    offset: open.offset,
    message: `the ${bracket} opened on line ${where.number} is not closed: end it with ${close}; a [ ] or { } continued on the next lines must be indented deeper than its key`,
  };
}
