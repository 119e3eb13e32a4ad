import { POINT_LIMITS } from '../point/point.js';
import { formatPath } from './config-error.js';
import { presentSections, type MultiFileConfig, type PointTagSet, type SectionDefinition } from './file-schema.js';

/** The tags the runtime adds to every point of a file of several sections (`startBridges`). */
const SOURCE_TAGS = ['bridge', 'channel'] as const;

/** A problem found by {@link pointTagIssues}, its path relative to the file. */
export interface PointTagIssue {
  path: (string | number)[];
  message: string;
}

interface Overflow {
  path: (string | number)[];
  count: number;
  message: string;
}

/**
 * Places where points would carry more tags than a point may have, counting what each bridge says
 * of its points (`pointTags`) with the file's `tags:` (the sink adds them to every point) and, in
 * a file of several sections, `bridge` and `channel`: the sink would refuse (dead-letter) every
 * such point. Said at the entry's `tags` when the tags the mapping gives there count, else at the
 * file's `tags:`; once per place, for the most any of its points carry.
 */
export function pointTagIssues(config: MultiFileConfig, sections: readonly SectionDefinition[]): PointTagIssue[] {
  const present = presentSections(sections, config);
  const fileTags = Object.keys(config.tags ?? {});
  const runtime = present.length > 1 ? SOURCE_TAGS.filter((k) => !fileTags.includes(k)) : [];
  const worst = new Map<string, Overflow>();
  for (const section of present) {
    for (const set of section.pointTags?.(config[section.name] as never) ?? []) {
      const overflow = overflowOf(section.name, set, fileTags, runtime);
      if (!overflow) continue;
      const key = formatPath(overflow.path);
      if ((worst.get(key)?.count ?? 0) < overflow.count) worst.set(key, overflow);
    }
  }
  return [...worst.values()].map(({ path, message }) => ({ path, message }));
}

function overflowOf(bridge: string, set: PointTagSet, fileTags: readonly string[], runtime: readonly string[]): Overflow | undefined {
  const max = POINT_LIMITS.maxTags;
  const seen = new Set([...fileTags, ...runtime]);
  const fresh = (keys: readonly string[]): string[] => {
    const out = [...new Set(keys)].filter((k) => !seen.has(k));
    for (const k of out) seen.add(k);
    return out;
  };
  const mapped = fresh(set.tags);
  const added = fresh(set.added ?? []);
  const count = seen.size;
  if (count <= max) return undefined;
  // When the mapping's own tags for these points count, the fix is there; otherwise in the file's.
  const atEntry = mapped.length > 0 || fileTags.length === 0;
  const where = formatPath([bridge, ...set.path]);
  const parts = [
    fileTags.length > 0 ? `the file's ${fileTags.length} (tags:)` : '',
    runtime.length > 0 ? `${words(runtime)} (added in a file of several sections)` : '',
    mapped.length > 0 ? `${mapped.length} given here` : '',
    added.length > 0 ? `${words(added)} (added by the ${bridge} bridge)` : '',
  ].filter((p) => p !== '');
  const whose = atEntry ? 'its points' : set.path.length === 0 ? `the ${bridge} bridge's points` : `the points of ${where}`;
  const remove = atEntry && fileTags.length > 0 ? "here or from the file's tags:" : 'here';
  return {
    path: atEntry ? [bridge, ...set.path] : ['tags'],
    count,
    message: `${whose} would carry ${count} tags, more than the ${max} a point may have: ${parts.join(', ')}, so the sink would refuse every one of them (dead-lettered, never sent). Remove ${count - max} ${remove}`,
  };
}

/** `a`, `a and b`, `a, b and c`. */
function words(list: readonly string[]): string {
  return list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
