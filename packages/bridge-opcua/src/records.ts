import { POINT_LIMITS, type PointValue } from '@fieldbridge/core/bridge';
import { hasOverflow, qualityOf, statusName, type Quality } from './quality.js';
import { variantToValue, type ValueOptions, type ValueProblemKind, type VariantLike } from './values.js';

/**
 * Which clock a value's timestamp comes from: `source` (the device's, when the server passes it
 * on), `server` (when the server saw the value) or `local` (when this client received it). A
 * missing or implausible timestamp falls back to the next one: source, then server, then local.
 */
export type TimestampMode = 'source' | 'server' | 'local';

/** Every timestamp mode. */
export const TIMESTAMP_MODES: readonly TimestampMode[] = ['source', 'server', 'local'];

/** A monitored variable as the records name it; built once when the item is subscribed. */
export interface ValueItem {
  /** The caller's name for the item (what a metric template or a problem report uses). */
  key: string;
  /** The node, written with its namespace URI (`nsu=...;s=...`). */
  nodeId: string;
  /** Browse names from the folder down to the variable, for items found below a folder. */
  browsePath?: readonly string[];
  timestamps: TimestampMode;
}

/** A monitored event notifier as the records name it. */
export interface EventItem {
  key: string;
  /** The notifier node (e.g. the Server object, `i=2253`). */
  notifier: string;
  /** The event fields selected, in the order the server returns them (dot paths, e.g. `ActiveState.Id`). */
  fields: readonly string[];
  /** Where `Time` is in `fields`, or -1. */
  timeIndex: number;
  /** `source` uses the event's Time field, `local` the time of receipt; `server` reads as `source`. */
  timestamps: TimestampMode;
}

/** One value of a monitored variable. */
export interface ValueRecord {
  item: ValueItem;
  /** `null` when the server sent no value (usual with a Bad status). */
  value: PointValue | null;
  quality: Quality;
  /** The status name: `Good`, `UncertainLastUsableValue`, `BadSensorFailure`, ... */
  status: string;
  /** The server's queue overflowed: values before this one were discarded there. */
  overflow: boolean;
  /** Milliseconds since the epoch, from the clock {@link timestampFrom} names. */
  timestampMs: number;
  timestampFrom: TimestampMode;
  /** The clock the mode asked for sent a time that cannot be right, so the next one stamps the value. */
  refusedTimestamp?: RefusedTimestamp;
}

/**
 * A timestamp present but implausible (a device whose clock was never set counts from 1970 or
 * 2000), so another clock stamped the point: the ingest service refuses times before
 * {@link POINT_LIMITS}' floor, and a time far ahead would file the value where nobody looks.
 */
export interface RefusedTimestamp {
  /** Whose it was: `source` (a value's source timestamp, an event's Time) or `server`. */
  clock: 'source' | 'server';
  /** What it said, in ms since the epoch. */
  ms: number;
}

/** One event of a monitored notifier, its selected fields by name (a field the event lacks is null). */
export interface EventRecord {
  item: EventItem;
  fields: Record<string, PointValue | null>;
  timestampMs: number;
  timestampFrom: TimestampMode;
  /** The event's Time cannot be right (see {@link RefusedTimestamp}): the receipt time stamps it. */
  refusedTimestamp?: RefusedTimestamp;
}

/** Something that could not be turned into a record; decoding of the rest goes on. */
export interface DecodeProblem {
  kind: ValueProblemKind | 'unknown_item' | 'malformed_notification';
  message: string;
  /** The key of the item concerned, when known. */
  item?: string;
}

/** The parts of a node-opcua `DataValue` the decoding reads. */
export interface DataValueLike {
  value?: VariantLike | null;
  statusCode?: { value: number } | number | null;
  sourceTimestamp?: Date | null;
  serverTimestamp?: Date | null;
}

/** Options of the decoders: how values are written, and names known for EventType node ids. */
export interface RecordOptions extends ValueOptions {
  /** Names of event types by node id text (`i=9341` -> `ExclusiveLimitAlarmType`). */
  eventTypeNames?: ReadonlyMap<string, string>;
}

const MIN_DATE_MS = Date.UTC(1601, 0, 2);
/**
 * How far ahead of the receipt a timestamp may be, in ms: a day, beyond any drift or time-zone
 * slip, so only a clock set wrong (a year ahead, a date never set) is refused.
 */
export const MAX_AHEAD_MS = 24 * 3_600_000;
/** The null NodeId (ns=0;i=0) as values are written. */
const NULL_NODE_ID = 'i=0';

/** A timestamp's ms, undefined when there is none, or `refused` when it cannot be right at `localMs`. */
function usableMs(date: Date | null | undefined, localMs: number): number | 'refused' | undefined {
  if (!(date instanceof Date)) return undefined;
  const ms = date.getTime();
  // node-opcua writes a missing timestamp as 1601-01-01; anything that early is no timestamp.
  if (!Number.isFinite(ms) || ms <= MIN_DATE_MS) return undefined;
  return plausibleMs(ms, localMs) ? ms : 'refused';
}

/** True for a time the ingest service takes (not before its floor) and not far ahead of `localMs`. */
export function plausibleMs(ms: number, localMs: number): boolean {
  return ms >= POINT_LIMITS.minTimestampMs && ms <= localMs + MAX_AHEAD_MS;
}

/**
 * Picks the timestamp `mode` asks for, falling back from source to server to local when one is
 * missing or implausible ({@link plausibleMs}); the first implausible one is named in `refused`.
 */
export function pickTimestamp(
  mode: TimestampMode,
  source: Date | null | undefined,
  server: Date | null | undefined,
  localMs: number,
): { ms: number; from: TimestampMode; refused?: RefusedTimestamp } {
  let refused: RefusedTimestamp | undefined;
  const pick = (clock: 'source' | 'server', date: Date | null | undefined): number | undefined => {
    const ms = usableMs(date, localMs);
    if (ms !== 'refused') return ms;
    refused ??= { clock, ms: date!.getTime() };
    return undefined;
  };
  const withRefused = (ms: number, from: TimestampMode) => (refused ? { ms, from, refused } : { ms, from });
  if (mode === 'source') {
    const ms = pick('source', source);
    if (ms !== undefined) return { ms, from: 'source' };
  }
  if (mode !== 'local') {
    const ms = pick('server', server);
    if (ms !== undefined) return withRefused(ms, 'server');
  }
  return withRefused(localMs, 'local');
}

/** The result of decoding one value or event: a record, or the problem that stopped it. */
export type Decoded<T> = { record: T; problem?: undefined } | { record?: undefined; problem: DecodeProblem };

/**
 * Decodes one DataValue of `item`, received at `receivedAtMs`. Pure; never throws. A value that
 * cannot be sent (NaN, too large) is a problem; a Bad status with no value is a record with
 * `value: null`, so the caller decides to tag or drop it.
 */
export function decodeDataValue(item: ValueItem, dataValue: DataValueLike | null | undefined, receivedAtMs: number, options: RecordOptions = {}): Decoded<ValueRecord> {
  if (typeof dataValue !== 'object' || dataValue === null) return { problem: { kind: 'malformed_notification', message: `${item.key}: the notification has no DataValue`, item: item.key } };
  const converted = variantToValue(dataValue.value, options);
  if (!converted.ok) return { problem: { kind: converted.kind, message: `${item.key} (${item.nodeId}): ${converted.message}`, item: item.key } };
  const raw = dataValue.statusCode;
  const code = typeof raw === 'number' ? raw : (raw?.value ?? 0);
  const time = pickTimestamp(item.timestamps, dataValue.sourceTimestamp, dataValue.serverTimestamp, receivedAtMs);
  return {
    record: {
      item,
      value: converted.value,
      quality: qualityOf(code),
      status: statusName(code, options.statusNames),
      overflow: hasOverflow(code),
      timestampMs: time.ms,
      timestampFrom: time.from,
      ...(time.refused ? { refusedTimestamp: time.refused } : {}),
    },
  };
}

/**
 * Decodes the fields of one event of `item`. Fields that cannot be sent become null and a
 * problem each; the event still gives a record. `EventType` is written by name when
 * `eventTypeNames` knows it; a `BranchId` that is the null NodeId (a condition's current state,
 * not a branch) is null. Pure; never throws.
 */
export function decodeEventFields(item: EventItem, fields: readonly (VariantLike | null | undefined)[] | null | undefined, receivedAtMs: number, options: RecordOptions = {}): { record?: EventRecord; problems: DecodeProblem[] } {
  const problems: DecodeProblem[] = [];
  if (!Array.isArray(fields)) return { problems: [{ kind: 'malformed_notification', message: `${item.key}: the event has no fields`, item: item.key }] };
  const out: Record<string, PointValue | null> = {};
  for (const [i, name] of item.fields.entries()) {
    const converted = variantToValue(fields[i], options);
    if (!converted.ok) {
      problems.push({ kind: converted.kind, message: `${item.key} event field ${name}: ${converted.message}`, item: item.key });
      out[name] = null;
      continue;
    }
    let value = converted.value;
    if (name === 'EventType' && typeof value === 'string') value = options.eventTypeNames?.get(value) ?? value;
    // A condition's current state has a null BranchId, which servers send as the null NodeId.
    if (name === 'BranchId' && value === NULL_NODE_ID) value = null;
    out[name] = value;
  }
  const timeField = item.timeIndex >= 0 ? out[item.fields[item.timeIndex]!] : undefined;
  const timed = item.timestamps !== 'local' && typeof timeField === 'number';
  // An event has no server timestamp: a Time that cannot be right falls back to the receipt.
  const eventTime = timed && plausibleMs(timeField, receivedAtMs) ? timeField : undefined;
  const record: EventRecord = { item, fields: out, timestampMs: eventTime ?? receivedAtMs, timestampFrom: eventTime === undefined ? 'local' : 'source' };
  if (timed && eventTime === undefined) record.refusedTimestamp = { clock: 'source', ms: timeField };
  return { record, problems };
}
