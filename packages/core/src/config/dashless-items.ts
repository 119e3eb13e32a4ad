import { clip, lineAt, sourceTokens, valueToLineEnd, type SourceHint } from './_yaml-source.js';

/** A plain key of a dash and a name (`-name`): what a list item without the space after its dash reads as. */
const DASHED_KEY = /^-[A-Za-z_][\w.-]*$/;

/**
 * `-name: a`, meant as a list item: without a space after the dash, YAML reads a key named
 * "-name" (and the lines under it as that key's mapping). Each such key, said at its dash. A
 * mapping file has no key of that spelling, so the parser's or the schema's complaint about the
 * same lines is an echo of this one: the loader says this instead, when it refuses the file.
 */
export function dashlessItems(text: string): SourceHint[] {
  const out: SourceHint[] = [];
  for (const token of sourceTokens(text)) {
    if (token.type !== 'scalar' || token.source === undefined || !DASHED_KEY.test(token.source)) continue;
    const after = token.offset + token.source.length;
    if (text[after] !== ':' || !/^(\s|$)/.test(text.slice(after + 1, after + 2))) continue;
    const line = lineAt(text, token.offset);
    if (line.text.slice(0, token.offset - line.start).trim() !== '') continue;
    const written = valueToLineEnd(text, token.offset);
    out.push({ offset: token.offset, message: `"${clip(written)}" reads as a key named "${clip(token.source)}", not a list item: a list item needs a space after the dash: write - ${clip(written.slice(1))}` });
  }
  return out;
}
