import { isAlias, isPair, isScalar, visit, type Document, type YAMLWarning } from 'yaml';
import { clip, lineAt, looksLikeWindowsPath, singleQuoted, valueInLine, valueToLineEnd, windowsPathMessage, type SourceHint } from './_yaml-source.js';

/** Escapes that turn a path's `\n`, `\t`... into control characters. */
const CONTROL_ESCAPES: Record<string, string> = { n: 'a line feed', t: 'a tab', r: 'a carriage return', b: 'a backspace', f: 'a form feed', v: 'a vertical tab', '0': 'a NUL', a: 'a bell', e: 'an escape' };

/**
 * Text that YAML reads without an error but not as the user meant, each said where it stands:
 * a Windows path in double quotes whose `\n` became a line feed, a value starting with `*`, `&`
 * or `!` read as an alias, an anchor or a tag, a value starting with `>` or `|` read as an
 * empty block of text. `warnings` are the document's (an unknown `!tag` is one).
 */
export function yamlMisreadings(doc: Document, text: string, warnings: readonly YAMLWarning[]): SourceHint[] {
  const out: SourceHint[] = [];
  for (const warning of warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    const offset = Math.min(Math.max(warning.pos[0], 0), text.length);
    out.push(quoted(text, offset, `"${clip(valueInLine(text, offset).value)}" reads as a YAML tag (a value starting with !), not as text`));
  }
  // One pass in document order: an alias needs its anchor set before it (yaml's own resolve()
  // searches the document for each alias, too slow for a file of thousands).
  const anchored = new Set<string>();
  const aliased = new Set<string>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        aliased.add(node.source);
        if (node.range && !anchored.has(node.source)) out.push(quoted(text, node.range[0], `"*${clip(node.source)}" reads as a reference to an anchor &${clip(node.source)} (a value starting with *), and no &${clip(node.source)} is set above it`, node.range[1]));
      } else if (node.anchor !== undefined) anchored.add(node.anchor);
    },
  });
  visit(doc, {
    Scalar(_key, node, path) {
      if (!node.range) return;
      if (node.anchor !== undefined && !aliased.has(node.anchor)) {
        const at = text.lastIndexOf(`&${node.anchor}`, node.range[0]);
        const value = node.value === null || node.value === '' ? 'an empty value' : `the value "${clip(String(node.value))}"`;
        if (at !== -1) out.push(quoted(text, at, `"&${clip(node.anchor)}" reads as an anchor named ${clip(node.anchor)} (a value starting with &) on ${value}, and nothing refers to it with *${clip(node.anchor)}`, node.range[1]));
      }
      if (node.type === 'QUOTE_DOUBLE') {
        const inner = text.slice(node.range[0] + 1, node.range[1]).replace(/"\s*$/, '');
        const escapes = [...inner.matchAll(/\\(.)/gs)].map((m) => m[1]!).filter((c) => c in CONTROL_ESCAPES);
        const parent = path[path.length - 1];
        const key = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : '';
        if (escapes.length > 0 && looksLikeWindowsPath(inner, key)) {
          const what = [...new Set(escapes)].map((c) => `\\${c} is ${CONTROL_ESCAPES[c]}`).join(', ');
          out.push({ offset: node.range[0], message: windowsPathMessage(inner, what) });
        }
      }
      if (node.type === 'PLAIN' && typeof node.value === 'string') {
        const cut = numberedComment(text, node.range[0], node.range[1], node.value);
        if (cut) out.push(cut);
      }
      if ((node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') && node.value === '') {
        const header = valueToLineEnd(text, node.range[0]);
        out.push(quoted(text, node.range[0], `"${clip(header)}" starts a block of text (a value starting with > or | is the indented lines below it), and none follows`));
      }
    },
  });
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * A text value followed on its line by ` #1` (an S7 tag's `Temp #1`, a `Pump #2`): YAML ends the
 * value before the ` #`, which starts a comment, so the value is read short. Said with the value
 * quoted whole, or the comment written as `# 1`.
 */
function numberedComment(text: string, start: number, end: number, value: string): SourceHint | undefined {
  const line = lineAt(text, end);
  const after = line.text.slice(end - line.start);
  const comment = /^[ \t]+(#\d.*)$/.exec(after)?.[1]?.trimEnd();
  if (comment === undefined) return undefined;
  const before = line.text.slice(0, start - line.start).trim();
  const whole = `${value} ${comment}`;
  return {
    offset: start,
    // Written out whole (a long node id is pasted back as it is), within a line's bound.
    message: `"${tail(whole)}" reads as "${tail(value)}" and a comment (a # after a space starts one): if ${clip(comment, 20)} belongs to the value, put it in quotes: ${before ? `${before} ` : ''}${singleQuoted(clip(whole, 400))}; if it is a comment, write it as # ${clip(comment.slice(1), 20)}`,
  };
}

/** The end of a long value, where the cut is (`...s="DB_Line"."Temp`). */
const tail = (text: string, max = 60): string => (text.length > max ? `...${text.slice(text.length - max + 3)}` : text);

/** `problem`, then how to write the value from `offset` as text: in single quotes. */
function quoted(text: string, offset: number, problem: string, end?: number): SourceHint {
  const line = lineAt(text, offset);
  const before = line.text.slice(0, offset - line.start).trim();
  // The value ends where its node does inside { } or [ ] (`{ site: &s plant-a }`), else at the
  // line's end; what follows it there (`, owner: b }`) is kept in the line to write.
  const inLine = valueInLine(text, offset);
  const value = end === undefined || end <= offset ? inLine.value : text.slice(offset, end).trimEnd();
  return { offset, message: `${problem}: if it is meant as text, put it in quotes: ${before ? `${before} ` : ''}${singleQuoted(clip(value))}${inLine.after}` };
}
