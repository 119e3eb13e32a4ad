import { booleanProposal } from './scan-booleans.js';
import type { HeardField } from './topic-survey.js';

/**
 * JSON leaf names read as the payload's time when they hold one (epoch seconds, milliseconds,
 * microseconds or nanoseconds, or an ISO 8601 date): Zigbee2MQTT's `last_seen`, deCONZ's `lastseen`
 * and `lastupdated`, Home Assistant's `last_changed` and `last_updated`, Shelly Gen2's `unixtime`,
 * Tasmota's `Time`. Compared by {@link timeKey}: `last_seen`, `lastSeen` and `last-seen` alike.
 */
const TIME_NAMES = new Set(
  ['ts', 'timestamp', 'time', 't_ms', 'epoch', 'datetime', 'last_seen', 'last_update', 'last_updated', 'last_changed', 'unixtime', 'timestamp_ms', 'time_ms'].map(timeKey),
);

/** A name in lower case without `_` and `-`. */
function timeKey(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** A value named as a time (see {@link TIME_NAMES}) that reads as one: a number (`time: 35` is not) or an ISO 8601 date. */
export function isTime(f: HeardField): boolean {
  return TIME_NAMES.has(timeKey(f.name)) && f.unfit === undefined && (f.epochUnit !== undefined || f.iso8601 !== undefined);
}

/**
 * What makes two topics' values read alike: path, kind, and whether it is a number in a string, a
 * boolean (with which words) or the time (in which unit, with a zone or without).
 */
export function fieldKey(f: HeardField): string {
  const proposal = booleanProposal(f);
  const boolean = proposal === undefined ? '' : `:boolean:${proposal.payload_on ?? ''}`;
  const time = isTime(f) ? `:time:${f.epochUnit ?? f.iso8601 ?? ''}` : '';
  return `${f.path}:${f.kind}${f.numberText ? ':number' : ''}${boolean}${time}`;
}

/**
 * Values a point can be made of: finite numbers and booleans, strings a scan proposes as booleans
 * (a state's `"ON"`/`"OFF"`, an availability's `"online"`: see {@link booleanProposal}), and
 * numbers in strings (`"21.5"`), which type number reads; other strings stay in the payload, an
 * identifier (`"id": 7`) names the device rather than measures it, and a time is the timestamp,
 * not a value.
 */
export function readable(fields: readonly HeardField[]): HeardField[] {
  return fields.filter((f) => (f.kind !== 'string' || booleanProposal(f) !== undefined || f.numberText === true) && f.unfit === undefined && f.identifier !== true && !isTime(f));
}

