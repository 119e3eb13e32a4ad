import { fieldKey, isTime, readable } from './scan-fields.js';
import { topicLevels } from './topic.js';
import type { HeardField, HeardTopic } from './topic-survey.js';

/** A value of a group's entry, `optional` when some of its topics' payloads lack it. */
export interface GroupField {
  field: HeardField;
  optional: boolean;
}

/** A group of topics one subscription takes: same number of levels and format, values alike. */
export interface Group {
  levels: string[][];
  /** The first topic: its format, switch words and (for JSON) its values stand for the group's. */
  sample: HeardTopic;
  /**
   * JSON topics of one family merged (devices of several models below one prefix, as
   * Zigbee2MQTT's `zigbee2mqtt/<device>`): every value any of them has, and the time field all
   * of them have, if any. Unset: the sample's values, which every topic of the group has.
   */
  union?: { values: GroupField[]; timeFields: HeardField[] };
}

/** The levels of a group's filter: `+` where its topics differ. */
export function filterLevels(group: Pick<Group, 'levels'>): string[] {
  const first = group.levels[0]!;
  return first.map((level, i) => (group.levels.some((l) => l[i] !== level) ? '+' : level));
}

/** True when the group's topics differ at every level: its filter would be `+` throughout. */
export function onlyWildcards(group: Pick<Group, 'levels'>): boolean {
  return filterLevels(group).every((level) => level === '+');
}

/** True when the group's filter matches a heard topic that is not one of the group's. */
export function takesOthers(group: Pick<Group, 'levels'>, heard: readonly HeardTopic[]): boolean {
  const filter = filterLevels(group);
  const own = new Set(group.levels.map((l) => l.join('/')));
  return heard.some((t) => {
    if (own.has(t.topic)) return false;
    const levels = topicLevels(t.topic);
    return levels.length === filter.length && filter.every((f, i) => f === '+' || f === levels[i]);
  });
}

/**
 * A group whose filter would take another topic heard, or be `+` throughout, split into groups
 * that can each be one entry: by the first level where its topics differ, again within each part
 * while a part still cannot. Three sensors of one Shelly H&T (`shellies/ht1/sensor/+`) stay one
 * entry when a door sensor's `shellies/dw1/sensor/state`, a word, keeps `shellies/+/sensor/+` from
 * taking them all; topics that share nothing end as one group each.
 */
export function splitGroup(group: Group, heard: readonly HeardTopic[]): Group[] {
  if (group.levels.length < 2 || (!takesOthers(group, heard) && !onlyWildcards(group))) return [group];
  const first = group.levels[0]!;
  const at = first.findIndex((level, i) => group.levels.some((l) => l[i] !== level));
  const parts = new Map<string, string[][]>();
  for (const levels of group.levels) parts.set(levels[at]!, [...(parts.get(levels[at]!) ?? []), levels]);
  return [...parts.values()].flatMap((levels) => splitGroup({ levels, sample: group.sample }, heard));
}

/**
 * Merges JSON groups of one family into one: groups whose topics have as many levels and the same
 * first level (`zigbee2mqtt/hall_plug`, `zigbee2mqtt/bath_sensor`: devices of different models),
 * when together they differ at one level only (Tasmota's `tele/<device>/STATE` and
 * `tele/<device>/SENSOR` are other messages, not other models), their filter takes no other topic
 * heard, and a value at one path reads alike in every topic that has it (a number in one and a
 * word in another do not merge). The merged group reads every value of any of them, each `optional` where some topic
 * lacks it, so a hundred devices of a few models are one entry rather than a hundred. Other
 * groups are returned as they were, in their order.
 */
export function mergeFamilies(groups: readonly Group[], heard: readonly HeardTopic[]): Group[] {
  const families = new Map<string, Group[]>();
  const familyOf = (g: Group) => (g.sample.format === 'json' ? `${g.levels[0]!.length}\u0000${g.levels[0]![0]}` : undefined);
  for (const g of groups) {
    const key = familyOf(g);
    if (key !== undefined) families.set(key, [...(families.get(key) ?? []), g]);
  }
  const out: Group[] = [];
  const done = new Set<string>();
  for (const g of groups) {
    const key = familyOf(g);
    const family = key === undefined ? undefined : families.get(key)!;
    if (family === undefined || family.length < 2) {
      out.push(g);
      continue;
    }
    if (done.has(key!)) continue;
    done.add(key!);
    const merged = mergeOf(family, heard);
    if (merged) out.push(merged);
    else out.push(...family);
  }
  return out;
}

function mergeOf(family: readonly Group[], heard: readonly HeardTopic[]): Group | undefined {
  const levels = family.flatMap((g) => g.levels);
  if (filterLevels({ levels }).filter((level) => level === '+').length !== 1 || takesOthers({ levels }, heard)) return undefined;
  const samples = family.map((g) => g.sample);
  const byPath = new Map<string, { field: HeardField; key: string; topics: number }>();
  for (const t of samples) {
    for (const f of t.fields) {
      const seen = byPath.get(f.path);
      if (seen === undefined) byPath.set(f.path, { field: f, key: fieldKey(f), topics: 1 });
      else if (seen.key !== fieldKey(f)) return undefined;
      else seen.topics += 1;
    }
  }
  const all = [...byPath.values()];
  const topicsOf = new Map(all.map((e) => [e.field, e.topics]));
  // Each group's topics have its sample's values: a value in every sample is in every topic.
  const values = readable(all.map((e) => e.field)).map((field) => ({ field, optional: topicsOf.get(field)! < samples.length }));
  const timeFields = all.filter((e) => e.topics === samples.length && isTime(e.field)).map((e) => e.field);
  return { levels, sample: family[0]!.sample, union: { values, timeFields } };
}
