import { renderMetricName, type DecodeProblem, type DecodeResult, type Point, type Tags } from '@fieldbridge/core/bridge';
import { eventPoint } from './decode-events.js';
import type { Dialect } from './dialect.js';
import type { ParseProblemKind } from './parse-problems.js';
import type { DecodedMessage, ReadResult } from './reader.js';
import type { ResolvedMavlink, ResolvedMessage } from './resolve.js';
import { renderSourceId } from './templates.js';
import type { VehicleEvent } from './vehicle-tracker.js';

/** Kinds of {@link MavlinkDecodeProblem}: the parser's, and the two of turning messages into points. */
export type MavlinkProblemKind =
  | ParseProblemKind
  /** A metric name template gave no usable name for a record (empty, or past 256 characters). */
  | 'bad_metric'
  /** The `source_id` template gave no valid source id for a system (past 256 characters once filled in). */
  | 'bad_source_id';

/** A problem met while decoding, with the sender when known. */
export interface MavlinkDecodeProblem extends DecodeProblem {
  kind: MavlinkProblemKind;
  sysid?: number;
  compid?: number;
  msgid?: number;
}

/** Options of {@link createPointMaker}. */
export interface PointMakerOptions {
  /** The mapping file's `source_id`, for the `{source_id}` of the vehicles' source id template. */
  sourceId: string;
  /** The dialect, for naming vehicle types and autopilots in `vehicle.found` events. */
  dialect?: Dialect;
}

/**
 * Turns decoded messages and vehicle events into full points (metric, value, timestamp,
 * source_id, tags, class). Pure: no I/O, no clock; what it remembers (each vehicle's source id,
 * each record's metric name and tags) is bounded.
 */
export interface PointMaker {
  /** The points of one message: one per record. */
  message(message: DecodedMessage): DecodeResult<MavlinkDecodeProblem>;
  /** The point a vehicle event gives (link.lost, mode.changed, ...; link.stats gives link.loss_ratio), if any. */
  event(event: VehicleEvent): DecodeResult<MavlinkDecodeProblem>;
  /** The source id of system `sysid`, or undefined when the template cannot make one. */
  sourceIdOf(sysid: number): string | undefined;
}

/** A record's metric name and tags, or why it has none. */
type Named = { metric: string; tags: Tags | undefined } | { problem: string };

/** Metric-name entries remembered (per message, sender and instance); the cache starts over past this. */
const MAX_NAMED = 4096;
/** Component id of an autopilot: records of other components are tagged with theirs. */
const AUTOPILOT_COMPID = 1;

/**
 * Creates a {@link PointMaker} for a resolved section. Metric names are rendered once per
 * message, sender and record and remembered, so the hot path is a lookup and an object per point.
 * Tags: `unit` when the record has one, `instance` when the message has one and the template
 * does not use `{instance}`, `compid` for components other than the autopilot (1), and `sysid`
 * (on the event points too) when neither the source id nor the metric template names the system.
 */
export function createPointMaker(config: Pick<ResolvedMavlink, 'sourceId' | 'messages'>, options: PointMakerOptions): PointMaker {
  const sourceIds = new Map<number, string | { problem: string }>();
  const named = new Map<string, Map<string, Named>>();
  // A source_id without {sysid} is every vehicle's: their series would be one (and each one's
  // values would thin the other's in the change filters) unless the system tells them apart.
  const sharedSource = !config.sourceId.placeholders.includes('sysid');

  const sourceIdEntry = (sysid: number): string | { problem: string } => {
    let entry = sourceIds.get(sysid);
    if (entry === undefined) {
      const result = renderSourceId(config.sourceId, { sourceId: options.sourceId, sysid });
      entry = result.ok ? result.text : { problem: result.message };
      sourceIds.set(sysid, entry);
    }
    return entry;
  };

  function namesOf(message: DecodedMessage, template: ResolvedMessage): Map<string, Named> {
    const uses = template.metric.placeholders;
    const usesInstance = uses.includes('instance');
    let key = message.name;
    const sysidTag = sharedSource && !uses.includes('sysid');
    if (uses.includes('sysid') || uses.includes('compid') || sysidTag) key += `|${message.sysid}|${message.compid}`;
    else if (message.compid !== AUTOPILOT_COMPID) key += `|c${message.compid}`;
    if (message.instance !== undefined) key += `|i${message.instance}`;
    let names = named.get(key);
    if (!names) {
      if (named.size >= MAX_NAMED) named.clear();
      names = new Map();
      named.set(key, names);
    }
    for (const record of message.fields) {
      if (names.has(record.name)) continue;
      const vars = { message: message.name.toLowerCase(), field: record.name, instance: message.instance ?? '', sysid: message.sysid, compid: message.compid };
      const rendered = renderMetricName(template.metric, vars);
      if (!rendered.ok) {
        names.set(record.name, { problem: rendered.message });
        continue;
      }
      const tags: Tags = {};
      if (record.unit) tags.unit = record.unit;
      if (message.instance !== undefined && !usesInstance) tags.instance = String(message.instance);
      if (message.compid !== AUTOPILOT_COMPID) tags.compid = String(message.compid);
      if (sysidTag) tags.sysid = String(message.sysid);
      names.set(record.name, { metric: rendered.text, tags: Object.keys(tags).length > 0 ? tags : undefined });
    }
    return names;
  }

  return {
    sourceIdOf(sysid) {
      const entry = sourceIdEntry(sysid);
      return typeof entry === 'string' ? entry : undefined;
    },
    message(message) {
      const result: DecodeResult<MavlinkDecodeProblem> = { points: [], problems: [] };
      const where = { sysid: message.sysid, compid: message.compid, msgid: message.msgid };
      const sourceId = sourceIdEntry(message.sysid);
      if (typeof sourceId !== 'string') {
        result.problems.push({ kind: 'bad_source_id', message: sourceId.problem, ...where });
        return result;
      }
      const template = config.messages.get(message.name);
      if (!template) return result;
      const names = namesOf(message, template);
      for (const record of message.fields) {
        const name = names.get(record.name)!;
        if ('problem' in name) {
          result.problems.push({ kind: 'bad_metric', message: `${message.name}.${record.name} from system ${message.sysid}: ${name.problem}`, ...where });
          continue;
        }
        const value = record.value;
        const point: Point = { metric: name.metric, value, timestamp: message.timestampMs, source_id: sourceId, class: typeof value === 'number' ? 'metric' : 'event' };
        if (name.tags) point.tags = name.tags;
        result.points.push(point);
      }
      return result;
    },
    event(event) {
      const sourceId = sourceIdEntry(event.sysid);
      if (typeof sourceId !== 'string') return { points: [], problems: [{ kind: 'bad_source_id', message: sourceId.problem, sysid: event.sysid }] };
      const point = eventPoint(event, sourceId, options.dialect);
      if (point && sharedSource) point.tags = { ...point.tags, sysid: String(event.sysid) };
      return { points: point ? [point] : [], problems: [] };
    },
  };
}

/** The points of one message or one vehicle event, in the order they happened. */
export type PointBatch =
  | { kind: 'message'; sysid: number; message: DecodedMessage; points: Point[] }
  | { kind: 'event'; sysid: number; event: VehicleEvent; points: Point[] };

/** What {@link decodeRead} takes: a `ReadResult`, or the events of a link timeout check. */
export interface ReadInput {
  messages: readonly DecodedMessage[];
  events: readonly VehicleEvent[];
  problems: readonly ReadResult['problems'][number][];
}

/** What one read of the reader gives as points. */
export interface DecodedRead {
  /** The vehicle events' points first (a vehicle found opens its channel before its messages), then each message's. */
  batches: PointBatch[];
  /** The parser's problems, then those of making points. */
  problems: MavlinkDecodeProblem[];
}

/**
 * Turns one `ReadResult` (bytes already parsed, placed in time, vehicles tracked) into points:
 * the decode step the source runs on every chunk, and the decode-fixture tests on theirs. Pure;
 * never throws for any input the reader gives.
 */
export function decodeRead(read: ReadInput, maker: PointMaker): DecodedRead {
  const out: DecodedRead = { batches: [], problems: [...read.problems] };
  for (const event of read.events) {
    const decoded = maker.event(event);
    out.problems.push(...decoded.problems);
    out.batches.push({ kind: 'event', sysid: event.sysid, event, points: decoded.points });
  }
  for (const message of read.messages) {
    const decoded = maker.message(message);
    out.problems.push(...decoded.problems);
    out.batches.push({ kind: 'message', sysid: message.sysid, message, points: decoded.points });
  }
  return out;
}
