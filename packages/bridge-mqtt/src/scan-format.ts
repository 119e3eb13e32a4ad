import { flowYaml, oneLine, textTable } from '@fieldbridge/core/bridge';
import { commandsNote, isCommandTopic, leftOutNote, leftOutOfScan, managementPrefix } from './gateway-topics.js';
import { knownPair } from './heard-words.js';
import { booleanProposal, type BooleanProposal } from './scan-booleans.js';
import { fieldKey, isTime, readable } from './scan-fields.js';
import { filterLevels, mergeFamilies, splitGroup, type Group, type GroupField } from './scan-groups.js';
import { topicLevels } from './topic.js';
import type { HeardField, HeardTopic, TopicSurveyResult } from './topic-survey.js';

/** Most `subscriptions:` entries suggested. */
const MAX_SUGGESTIONS = 50;
function what(t: HeardTopic): string {
  if (t.format === 'json') return t.fields.length === 0 ? '(no values)' : t.fields.map((f) => `${f.path}=${f.sample}`).join(' ');
  if (t.format === 'sparkplug') return t.sparkplugMetrics.map((n) => (t.sparkplugTransient.includes(n) ? `${n} (transient: not sent)` : n)).join(', ') || t.sample;
  return t.sample;
}

/**
 * What a scan heard as text: one line per topic (messages, retained, format, the values or
 * metrics its last payload held, the subscription that maps it), then `subscriptions:` entries
 * for the topics not mapped yet, ready to paste under `mqtt:`. Pure.
 */
export function formatTopicScan(result: TopicSurveyResult, heardFrom: string): string {
  const { topics } = result;
  const lines = [`${topics.length + result.notListed} topics heard ${heardFrom}, ${result.messages} messages:`];
  if (topics.length === 0) {
    lines.push('  (none: is anything published below the filter? --scan-topic names another one)');
    return `${lines.join('\n')}\n`;
  }
  const rows = topics.map((t) => [oneLine(t.topic), String(t.messages), t.retained ? 'yes' : 'no', t.format, t.mappedBy === undefined ? '-' : oneLine(t.mappedBy), oneLine(what(t))]);
  const header = ['topic', 'messages', 'retained', 'format', 'mapped by', 'last payload'];
  lines.push(...textTable([header, ...rows], 48));
  if (result.notListed > 0) lines.push(`... and ${result.notListed} more topics not listed`);
  const management = topics.filter((t) => t.mappedBy === undefined && managementPrefix(t.topic) !== undefined);
  const commands = topics.filter((t) => t.mappedBy === undefined && managementPrefix(t.topic) === undefined && isCommandTopic(t.topic));
  const unmapped = topics.filter((t) => t.mappedBy === undefined && !leftOutOfScan(t.topic));
  const entries = suggestSubscriptions(unmapped, topics);
  lines.push('');
  if (entries.length === 0) lines.push('Every topic heard is mapped already, or carries nothing the bridge reads.');
  else lines.push(`# ${entries.length} ${entries.length === 1 ? 'subscription' : 'subscriptions'} for the topics not mapped yet; paste under mqtt: and rename the metrics as you like`, 'subscriptions:', ...entries.flat());
  lines.push(...leftOutNote(new Set(management.map((t) => managementPrefix(t.topic)!)), management.length));
  lines.push(...commandsNote(commands.map((t) => oneLine(t.topic))));
  const unfit = unmapped.flatMap((t) => {
    if (t.unfit !== undefined) return [`#   ${oneLine(t.topic)}: ${t.unfit}`];
    return t.format === 'json' ? t.fields.filter((f) => f.unfit !== undefined).map((f) => `#   ${oneLine(t.topic)} ${f.path}: ${f.unfit}`) : [];
  });
  if (unfit.length > 0) lines.push('# not suggested, as no point can carry them:', ...unfit);
  return `${lines.join('\n')}\n`;
}

/**
 * Subscriptions for `topics`: Sparkplug B by group (`spBv1.0/<group>/#`); otherwise topics with
 * the same number of levels, format and JSON value paths share one subscription, a level that
 * differs between them becoming `+` and `{topic.N}` in the metric name, unless that filter
 * would also take another topic `heard` (of another group, or mapped already): a broker sends a
 * message once for every filter it matches, so overlapping filters deliver it twice and the
 * first to match decodes both. Such a group is split by the first level where its topics differ
 * until each part can be one subscription ({@link splitGroup}), so one whose topics share no level
 * (`bad/json` and `txt/status`) ends as a subscription per topic: `+/+` would take every topic of
 * that depth the broker ever carries, whatever it is. JSON groups of one family (devices of
 * several models below one prefix) are one entry where they can be (see {@link mergeFamilies}).
 * Each entry is its YAML lines, at most {@link MAX_SUGGESTIONS} entries.
 */
export function suggestSubscriptions(topics: readonly HeardTopic[], heard: readonly HeardTopic[] = topics): string[][] {
  const out: string[][] = [];
  // Group -> whether an edge node of it flags metrics is_transient.
  const sparkplugGroups = new Map<string, boolean>();
  const groups = new Map<string, Group>();
  for (const t of topics) {
    const levels = topicLevels(t.topic);
    if (t.format === 'sparkplug') {
      const group = levels[1] ?? '';
      sparkplugGroups.set(group, sparkplugGroups.get(group) === true || t.sparkplugTransient.length > 0);
      continue;
    }
    if (leftOutOfScan(t.topic)) continue;
    if (t.format === 'binary' || t.format === 'empty' || t.unfit !== undefined || (t.format === 'json' && readable(t.fields).length === 0)) continue;
    const key = [levels.length, t.format, ...(t.switchWords ?? []).map((w) => w.toLowerCase()).sort(), ...t.fields.map(fieldKey)].join('\u0000');
    const group = groups.get(key);
    if (group) group.levels.push(levels);
    else groups.set(key, { levels: [levels], sample: t });
  }
  const merged = mergeFamilies([...groups.values()], heard);
  for (const [group, transient] of [...sparkplugGroups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const note = transient ? '; metrics flagged is_transient are not sent: add send_transient: true to send them too' : '';
    out.push([`  - ${flowYaml({ topic: `spBv1.0/${group}/#`, format: 'sparkplug' })}  # add rebirth: true to ask edge nodes for their births when an alias is unknown${note}`]);
  }
  for (const group of merged) for (const part of splitGroup(group, heard)) out.push(subscription(part));
  return out.slice(0, MAX_SUGGESTIONS);
}

/** The keys that read a value proposed as a boolean: `type: boolean`, and the device's words if it has its own. */
function booleanKeys(proposal: BooleanProposal): Record<string, string> {
  return { type: 'boolean', ...proposal };
}

/** deCONZ's time names (so spelt): dates in UTC, written without a zone (`"lastupdated": "2024-06-01T19:18:20.728"`). */
const UTC_WITHOUT_ZONE = new Set(['lastupdated', 'lastseen']);

/**
 * The `timestamp:` line of the first field named as a time that reads as one ({@link isTime}): an
 * epoch number (or one in a string) in the unit its size says, or an ISO 8601 date. A date without
 * a zone (a device's local time, as Tasmota's `Time`) gets `time_zone: local` and a comment to set
 * the device's zone: local is this machine's, right only when the two agree; deCONZ's
 * `lastupdated` and `lastseen` ({@link UTC_WITHOUT_ZONE}) get `time_zone: UTC`.
 */
function timestampLines(fields: readonly HeardField[]): string[] {
  const time = fields.find(isTime);
  if (time === undefined) return [];
  if (time.epochUnit !== undefined) return [`    timestamp: ${flowYaml({ path: time.path, unit: time.epochUnit })}`];
  if (time.iso8601 === 'zoned') return [`    timestamp: ${flowYaml({ path: time.path, unit: 'iso8601' })}`];
  if (UTC_WITHOUT_ZONE.has(time.name)) return [`    timestamp: ${flowYaml({ path: time.path, time_zone: 'UTC' })}  # deCONZ writes ${time.name} in UTC without saying so`];
  return [`    timestamp: ${flowYaml({ path: time.path, time_zone: 'local' })}  # a time without a zone: set time_zone to the device's (an IANA name like Europe/Berlin, or +01:00); local is this machine's`];
}

function subscription(group: Group): string[] {
  const first = group.levels[0]!;
  const levels = filterLevels(group);
  const varies = levels.map((level) => level === '+');
  const filter = levels.join('/');
  // A literal level goes into the name as letters, digits, `_`, `-` and `.` only (no template braces).
  const base = first.map((level, i) => (varies[i] ? `{topic.${i}}` : level.replace(/[^\w.-]+/g, '_'))).filter((part) => part !== '').join('.');
  const t = group.sample;
  if (t.format === 'text' && t.switchWords) return [switchWordsEntry(filter, base, t.switchWords)];
  if (t.format === 'number' || t.format === 'boolean' || t.format === 'text') return [`  - ${flowYaml({ topic: filter, format: t.format, metric: base })}`];
  const topic = flowYaml(filter);
  const values: GroupField[] = group.union?.values ?? readable(t.fields).map((field) => ({ field, optional: false }));
  const timestamp = timestampLines(group.union?.timeFields ?? t.fields);
  if (values.length === 1) {
    const { field: only, optional } = values[0]!;
    const proposal = booleanProposal(only);
    const keys = Object.entries({ ...(proposal && booleanKeys(proposal)), ...(optional && { optional: true }) }).map(([key, value]) => `    ${key}: ${flowYaml(value)}`);
    return [`  - topic: ${topic}`, `    metric: ${flowYaml(base)}`, `    value: ${flowYaml(only.path)}`, ...keys, ...timestamp];
  }
  const names = new Set<string>();
  const fields = values.map(({ field: f, optional }) => {
    const plain = f.name.replace(/[^A-Za-z0-9_-]+/g, '_') || 'value';
    let name = plain;
    for (let n = 2; names.has(name); n++) name = `${plain}_${n}`;
    names.add(name);
    const proposal = booleanProposal(f);
    const keys = { ...(proposal && booleanKeys(proposal)), ...(optional && { optional: true }) };
    return `      ${flowYaml(name)}: ${Object.keys(keys).length === 0 ? flowYaml(f.path) : flowYaml({ value: f.path, ...keys })}`;
  });
  return [`  - topic: ${topic}`, `    metric: ${flowYaml(`${base}.{field}`)}`, ...timestamp, '    fields:', ...fields];
}

/** Words that usually mean on (a door open, water or motion detected, a device online): the guess for which word is payload_on. */
const LIKELY_ON = new Set(['open', 'opened', 'detected', 'wet', 'motion', 'occupied', 'present', 'active', 'alarm', 'triggered', 'yes', 'pressed', 'online', 'connected']);

/**
 * A topic whose payloads were only two words the bridge has no meaning for (`open`, `close`): format
 * boolean with the words as payload_on / payload_off, which one is which a guess the comment says to check;
 * a known pair (`online` / `offline`, one of them heard or both) without a guess.
 */
function switchWordsEntry(filter: string, metric: string, words: readonly [string, string]): string {
  const [first, second] = words;
  const pair = knownPair(words);
  if (pair) return `  - ${flowYaml({ topic: filter, format: 'boolean', metric, payload_on: pair[0], payload_off: pair[1] })}`;
  const [on, off] = LIKELY_ON.has(second.toLowerCase()) && !LIKELY_ON.has(first.toLowerCase()) ? [second, first] : [first, second];
  return `  - ${flowYaml({ topic: filter, format: 'boolean', metric, payload_on: on, payload_off: off })}  # heard only ${on} and ${off}: which one means on is a guess, swap them if ${off} does`;
}
