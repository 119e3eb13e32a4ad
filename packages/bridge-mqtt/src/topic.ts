/** A validated MQTT topic filter, with an MQTT 5 shared-subscription prefix split off. */
export interface TopicFilter {
  /** The filter as written in the mapping, e.g. `$share/bridges/plant/+/temp`. */
  raw: string;
  /** The group of a `$share/<group>/<filter>` subscription; undefined otherwise. */
  shareGroup: string | undefined;
  /** The filter messages are matched against (without the `$share/<group>/` prefix). */
  filter: string;
  /** `filter` split on `/`. */
  levels: string[];
  /** True when the filter ends in `#` (any number of further levels). */
  multiLevel: boolean;
}

/** The outcome of {@link parseTopicFilter}: the filter, or why it is not one. */
export type ParsedTopicFilter = { ok: true; filter: TopicFilter } | { ok: false; message: string };

const SHARE_PREFIX = '$share/';

/**
 * Checks a subscription filter against the MQTT rules: `+` and `#` occupy a whole level,
 * `#` only the last; no NUL characters; `$share/<group>/<filter>` names a group without
 * wildcards or `/` and a filter after it.
 */
export function parseTopicFilter(raw: string): ParsedTopicFilter {
  if (raw.length === 0) return { ok: false, message: 'topic must not be empty' };
  if (raw.includes('\u0000')) return { ok: false, message: 'topic must not contain NUL characters' };
  if (Buffer.byteLength(raw) > 65535) return { ok: false, message: 'topic is longer than 65535 bytes' };
  let shareGroup: string | undefined;
  let filter = raw;
  if (raw.startsWith(SHARE_PREFIX)) {
    const rest = raw.slice(SHARE_PREFIX.length);
    const slash = rest.indexOf('/');
    shareGroup = slash < 0 ? rest : rest.slice(0, slash);
    filter = slash < 0 ? '' : rest.slice(slash + 1);
    if (shareGroup === '' || /[+#]/.test(shareGroup)) {
      return { ok: false, message: `"${raw}": a shared subscription is $share/<group>/<filter>, with a group name free of "/", "+" and "#"` };
    }
    if (filter === '') return { ok: false, message: `"${raw}": the shared subscription names no filter after $share/${shareGroup}/` };
  }
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return { ok: false, message: `"${raw}": "#" must be a whole level and the last one (e.g. plant/#)` };
    }
    if (level.includes('+') && level !== '+') {
      return { ok: false, message: `"${raw}": "+" must be a whole level (e.g. plant/+/temperature)` };
    }
    // AMQP's and NATS's wildcards: in MQTT a literal level no publisher uses, so the subscription would hear nothing.
    if (level === '*' || level === '>') {
      const meant = levels.map((l, j) => (j === i ? (level === '*' ? '+' : '#') : l)).join('/');
      return { ok: false, message: `"${raw}": "${level}" is no MQTT wildcard (it would match only a level named "${level}"): write + for one level or # (last) for every level below, e.g. ${meant}` };
    }
  }
  return { ok: true, filter: { raw, shareGroup, filter, levels, multiLevel: levels[levels.length - 1] === '#' } };
}

/** Splits a topic name into its levels (`a//b` has an empty middle level). */
export function topicLevels(topic: string): string[] {
  return topic.split('/');
}

/**
 * True when a topic (given as its levels) matches the filter, by the MQTT rules: `+` matches
 * one level, `#` the parent level and any below it, and a topic starting with `$` is not
 * matched by a filter starting with a wildcard.
 */
export function topicMatches(filter: TopicFilter, levels: readonly string[]): boolean {
  const wanted = filter.levels;
  if ((levels[0] ?? '').startsWith('$') && (wanted[0] === '+' || wanted[0] === '#')) return false;
  for (let i = 0; i < wanted.length; i++) {
    const w = wanted[i] as string;
    if (w === '#') return true;
    if (i >= levels.length) return false;
    if (w !== '+' && w !== levels[i]) return false;
  }
  return levels.length === wanted.length;
}

/** The number of levels every matching topic has, or undefined when the filter ends in `#`. */
export function fixedLevelCount(filter: TopicFilter): number | undefined {
  return filter.multiLevel ? undefined : filter.levels.length;
}

/**
 * True when every topic `inner` matches, `outer` matches too (`plant/#` covers `plant/+/temp` and
 * `plant`; `plant/+/temp` does not cover `plant/line1/#`). Shared-subscription prefixes are left
 * out: the filters after them are compared.
 */
export function filterCovers(outer: TopicFilter, inner: TopicFilter): boolean {
  const a = outer.levels;
  const b = inner.levels;
  // A wildcard first level takes no `$` topic; a literal `$SYS` level is one.
  if ((a[0] === '+' || a[0] === '#') && (b[0] ?? '').startsWith('$')) return false;
  for (let i = 0; i < a.length; i++) {
    const w = a[i] as string;
    if (w === '#') return true;
    if (i >= b.length) return false;
    const level = b[i] as string;
    if (level === '#') return false;
    if (w !== '+' && w !== level) return false;
  }
  return a.length === b.length;
}
