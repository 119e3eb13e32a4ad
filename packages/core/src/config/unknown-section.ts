import { commonShape } from './common-schema.js';
import { closestKey } from './key-suggest.js';

/** What is known of a mapping file's top level where an unknown key was written there. */
export interface TopLevelKnown {
  /** The top-level keys the file's schema allows: the common keys and the sections of the bridges read. */
  allowed: readonly string[];
  /** The top-level keys written in the file. */
  written: ReadonlySet<string>;
  /** Sections of bridges this read does not take but the command knows (`MappingReadOptions.knownSections`). */
  others: readonly string[];
  /** Words for a key holding a mapping, taken as another bridge's section (a command reading one bridge), if it is one. */
  foreign?: (key: string) => string | undefined;
}

/**
 * What follows "unknown key" for a top-level key no schema allows: the section or common key it
 * was most likely meant to be (`modbuss` for `modbus`, `mqtt_bridge` for `mqtt`), else that it
 * is another bridge's section (a command reading one bridge), else every key the top level may hold.
 */
export function unknownTopLevelWords(key: string, known: TopLevelKnown): string {
  const common = Object.keys(commonShape);
  const sections = [...new Set([...known.allowed.filter((k) => !common.includes(k)), ...known.others])];
  const candidates = [...common, ...sections].filter((k) => !known.written.has(k));
  // `mqtt_bridge`, `bridge-modbus`: a section's name with a word added.
  const words = key.toLowerCase().split(/[-_.\s]+/);
  const named = sections.filter((s) => !known.written.has(s) && words.includes(s));
  const meant = named.length === 1 ? named[0] : closestKey(key, candidates);
  if (meant !== undefined) return ` (did you mean ${meant}?)`;
  const foreign = known.foreign?.(key);
  if (foreign) return foreign;
  const holds = sections.length === 1 ? `its bridge's section, ${sections[0]}` : `one or more bridge sections: ${sections.join(', ')}`;
  return ` (the top level of a mapping file holds ${common.join(', ')} and ${holds}; check the spelling)`;
}
