import { booleanWord } from './_values.js';

/** The distinct words a topic's payloads (or a JSON path in them) were, as first written; `other` once something else came. */
export type WordsHeard = string[] | 'other';

/** A payload that may be a switch state the bridge has no word for: letters, `_` and `-`, up to 32. */
const PAYLOAD_WORD = /^[A-Za-z][A-Za-z_-]{0,31}$/;
/** A JSON string that is one word: letters, `_` and `-`, up to 24 (a survey's field samples are cut past 24). */
const FIELD_WORD = /^[A-Za-z][A-Za-z_-]{0,23}$/;
/** Words kept per JSON path: a setting's few values (`on`, `off`, `toggle`, `previous`) and then some. */
const MAX_FIELD_WORDS = 8;

/** `seen` with `word` added (compared in any case), or `other` past `max` words. */
function addWord(seen: WordsHeard, word: string, max: number): WordsHeard {
  if (seen === 'other') return seen;
  if (seen.some((w) => w.toLowerCase() === word.toLowerCase())) return seen;
  return seen.length < max ? [...seen, word] : 'other';
}

/**
 * A whole payload's word (`text` its sample; undefined for a payload that is not text) added to
 * what its topic sent: only words the bridge has no meaning for (`open`, `close`), at most two,
 * so that two of them are a switch whose words the scan proposes. A built-in switch word
 * (`on`, `true`), anything not a word, or a third word makes it `other`.
 */
export function hearPayloadWord(seen: WordsHeard, text: string | undefined): WordsHeard {
  const word = text?.trim();
  if (word === undefined || !PAYLOAD_WORD.test(word) || booleanWord(word) !== undefined) return 'other';
  return addWord(seen, word, 2);
}

/**
 * A JSON value (its kind and sample) added to what its path held in the topic's earlier
 * messages: words of any kind (`ON`, `off`, `toggle`, `online`), at most 8. A number, a boolean,
 * a string that is no word, or a ninth word makes it `other`.
 */
export function hearFieldWord(seen: WordsHeard, kind: 'number' | 'boolean' | 'string', sample: string): WordsHeard {
  if (kind !== 'string' || !FIELD_WORD.test(sample)) return 'other';
  return addWord(seen, sample, MAX_FIELD_WORDS);
}

/**
 * Words whose other half is known, as on and off: Zigbee2MQTT's availability (`online` /
 * `offline`, a bare word or `{"state":"online"}`). A scan that heard one of them proposes both.
 */
const KNOWN_PAIRS: readonly (readonly [on: string, off: string])[] = [['online', 'offline']];

/**
 * The known pair (on, off: see {@link KNOWN_PAIRS}) that every one of `words` belongs to, in any
 * case, else undefined.
 */
export function knownPair(words: readonly string[]): readonly [on: string, off: string] | undefined {
  if (words.length === 0) return undefined;
  return KNOWN_PAIRS.find((pair) => words.every((w) => pair.includes(w.toLowerCase())));
}
