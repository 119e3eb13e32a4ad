import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { commonShape } from './common-schema.js';

/** A top-level key of a mapping file that is not one of the common keys: a bridge's section. */
export interface SectionKey {
  key: string;
  line: number;
  col: number;
}

/**
 * The top-level keys of a mapping file's text that are not common keys (`source_id`, `sink`,
 * `observe`, ...), with where they are: the sections a multi-bridge command must load a bridge
 * for before it can validate the file. Reads the YAML only (no validation, no environment); a
 * file that does not parse gives none (the full load reports why).
 */
export function sectionKeys(text: string): SectionKey[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const out: SectionKey[] = [];
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (key in commonShape) continue;
    const pos = lineCounter.linePos(pair.key.range?.[0] ?? 0);
    out.push({ key, line: pos.line, col: pos.col });
  }
  return out;
}
