/**
 * Name patterns of the `messages`, `signals` and `per_signal` keys: `*` stands for any run of
 * characters (none included), `?` for exactly one, everything else for itself (case matters,
 * as in DBC files). The whole name must match.
 */
import { closestName, globMatch } from '@fieldbridge/core/bridge';
import type { DbcDatabase } from './dbc/types.js';

/** Include and exclude patterns; no `include` means everything. */
export interface NameSelection {
  include?: readonly string[];
  exclude?: readonly string[];
  /** Where the include patterns are in the section (`['messages']` or `['messages', 'include']`), for messages about them. */
  includePath: readonly (string | number)[];
}

/** The `messages` or `signals` key `key` as written (a list means `include`), as a {@link NameSelection}. */
export function toSelection(key: string, value: readonly string[] | { include?: readonly string[]; exclude?: readonly string[] } | undefined): NameSelection {
  if (value === undefined) return { includePath: [key] };
  if (Array.isArray(value)) return { include: value as readonly string[], includePath: [key] };
  const { include, exclude } = value as { include?: readonly string[]; exclude?: readonly string[] };
  return { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}), includePath: [key, 'include'] };
}

/**
 * True when a signal pattern fits `message.signal`: a pattern with a dot is matched against
 * `Message.Signal`, one without against the signal's name in any message (DBC names never
 * hold a dot).
 */
export function signalPatternMatches(pattern: string, message: string, signal: string): boolean {
  return pattern.includes('.') ? globMatch(pattern, `${message}.${signal}`) : globMatch(pattern, signal);
}

/** True when `test` accepts one of the include patterns (or there are none) and none of the exclude ones. */
export function selected(selection: NameSelection, test: (pattern: string) => boolean): boolean {
  if (selection.include && selection.include.length > 0 && !selection.include.some(test)) return false;
  return !(selection.exclude ?? []).some(test);
}

/**
 * The name a pattern without wildcards that matched nothing was most likely meant to be, from the
 * database's names as the pattern is written: `Message.Signal` when it has a dot, else the message
 * or signal name alone (a difference of case alone counts as none). Undefined for a wildcard pattern
 * or when nothing is close.
 */
export function nearestName(pattern: string, what: 'message' | 'signal', database: DbcDatabase): string | undefined {
  if (/[*?]/.test(pattern)) return undefined;
  const byLower = new Map<string, string>();
  const add = (name: string): void => {
    if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  };
  for (const m of database.messages) {
    if (what === 'message') add(m.name);
    else for (const s of m.signals) add(pattern.includes('.') ? `${m.name}.${s.name}` : s.name);
  }
  const lower = pattern.toLowerCase();
  const near = byLower.get(lower) ?? closestName(lower, byLower.keys());
  return near === undefined ? undefined : byLower.get(near) ?? near;
}
