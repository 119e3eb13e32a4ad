import type { SectionIssue } from '@fieldbridge/core/bridge';

/**
 * Words a mapping names as on and off (`payload_on` / `payload_off`, as Home Assistant's MQTT
 * binary_sensor has them), for devices that publish states the bridge cannot guess: Shelly's door
 * and window sensors send `open`/`close`, others `opened`/`closed`, `detected`/`clear`, `wet`/`dry`.
 * Read besides the built-in words, trimmed and in any case. Lower case, as matched.
 */
export interface SwitchWords {
  on: readonly string[];
  off: readonly string[];
}

/** The words read as on and as off without being named (`1`/`0`: as format boolean reads a whole payload). */
export const BUILT_IN_SWITCH_WORDS = { on: ['on', 'true', '1'], off: ['off', 'false', '0'] } as const;

/** The keys as written: a word or a list of words. */
export interface SwitchWordKeys {
  payload_on?: string | string[] | undefined;
  payload_off?: string | string[] | undefined;
}

type Side = 'on' | 'off';
const KEY = { on: 'payload_on', off: 'payload_off' } as const;
const OTHER: Record<Side, Side> = { on: 'off', off: 'on' };

/** True when `keys` names any word. */
export function namesSwitchWords(keys: SwitchWordKeys): boolean {
  return keys.payload_on !== undefined || keys.payload_off !== undefined;
}

/**
 * Compiles `payload_on` / `payload_off`; `at(key, index)` is the path of a key (and of a list's
 * element). Refused, naming the key: an empty word, a word named on both sides, and a built-in
 * word named on the other side (`payload_on: off`), which would mean on and off at once.
 */
export function compileSwitchWords(keys: SwitchWordKeys, at: (key: string, index?: number) => (string | number)[]): { words: SwitchWords; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const listed = (side: Side): { word: string; path: (string | number)[] }[] => {
    const value = keys[KEY[side]];
    if (value === undefined) return [];
    if (typeof value === 'string') return [{ word: value.trim().toLowerCase(), path: at(KEY[side]) }];
    return value.map((word, index) => ({ word: word.trim().toLowerCase(), path: at(KEY[side], index) }));
  };
  const on = listed('on');
  const off = listed('off');
  const check = (side: Side, entries: typeof on, others: typeof on): void => {
    for (const { word, path } of entries) {
      if (word === '') issues.push({ path, message: `${KEY[side]}: an empty word matches no payload: remove it, or write the word the device sends` });
      else if ((BUILT_IN_SWITCH_WORDS[OTHER[side]] as readonly string[]).includes(word)) {
        issues.push({ path, message: `${KEY[side]}: "${word}" is read as ${OTHER[side]} already (on/off, true/false and 1/0 are built in): it cannot also mean ${side}` });
      } else if (side === 'off' && others.some((o) => o.word === word)) {
        issues.push({ path, message: `payload_off: "${word}" is in payload_on too: a word means on or off, not both` });
      }
    }
  };
  check('on', on, off);
  check('off', off, on);
  const unique = (entries: typeof on): string[] => [...new Set(entries.map((e) => e.word))];
  return { words: { on: unique(on), off: unique(off) }, issues };
}

/** The state `text` names among `words` (trimmed, any case), else undefined. */
export function readSwitchWord(text: string, words: SwitchWords | undefined): boolean | undefined {
  if (words === undefined) return undefined;
  const word = text.trim().toLowerCase();
  if (words.on.includes(word)) return true;
  if (words.off.includes(word)) return false;
  return undefined;
}

/** `open (payload_on), close (payload_off)`: the words named, for messages and `--check`. */
export function describeSwitchWords(words: SwitchWords): string {
  const side = (s: Side): string[] => (words[s].length === 0 ? [] : [`${words[s].join('/')} (${KEY[s]})`]);
  return [...side('on'), ...side('off')].join(', ');
}
