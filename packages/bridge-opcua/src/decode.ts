import { POINT_LIMITS } from '@fieldbridge/core';
import { createKeyedCache, renderMetricName, type DecodeProblem, type DecodeResult, type Point, type PointValue, type Tags } from '@fieldbridge/core/bridge';
import type { NotificationBatch } from './notifications.js';
import type { EventRoute, OpcuaPlan, ValueRoute } from './plan.js';
import { MAX_AHEAD_MS, type EventRecord, type ValueItem, type ValueRecord } from './records.js';

/**
 * A problem met turning records into points: the kinds of the records' own problems
 * (`not_finite`, `too_large`, `unsupported_type`, `malformed`, `unknown_item`,
 * `malformed_notification`) plus `no_value` (the server sent a status but no value),
 * `bad_quality` (a status other than Good under `quality: drop`) and `bad_metric` (a template
 * that cannot be filled for this variable or event); `bad_timestamp` (a timestamp that cannot be
 * right, replaced by the next clock's) comes with the point rather than instead of it.
 */
export interface OpcuaDecodeProblem extends DecodeProblem {
  /** The series it concerns: the item's key, with the browse path below a folder (`line1.{path}/Motor1/Speed`). */
  item?: string;
}

/** Points and problems of one NotificationMessage. */
export type OpcuaDecodeResult = DecodeResult<OpcuaDecodeProblem>;

/** What one monitored variable maps to, worked out once per item. */
export interface ItemRoute {
  route: ValueRoute | undefined;
  /** The key of its problems and of its change filter's series. */
  series: string;
  /** Its metric name, or why there is none. */
  metric: { ok: true; text: string } | { ok: false; message: string };
}

/** Turns records into full points by the plan's routes. */
export interface PointMapper {
  /** The route of a variable (cached per item). */
  item(item: ValueItem): ItemRoute;
  /** One value: its point, or the problem that kept it from being one. */
  value(record: ValueRecord): Point | OpcuaDecodeProblem;
  /** One event: its event point, or the problem; undefined for a condition branch's event its entry leaves out (`branches: false`). */
  event(record: EventRecord): Point | OpcuaDecodeProblem | undefined;
  /** The `bad_timestamp` problem of a record stamped by another clock than it asked for, which is still sent. */
  timestampProblem(record: ValueRecord | EventRecord): OpcuaDecodeProblem | undefined;
  /** Every record of a NotificationMessage, in order (values, then events, then the message's own problems). */
  batch(batch: NotificationBatch): OpcuaDecodeResult;
}

/** Items whose route is kept: as many as a section can name (nodes, and folders' variables). */
const MAX_ITEMS = 200_000;

/**
 * True for an event of a condition branch (BranchId not null): a previous state of the condition
 * kept for acknowledgement, sent again when it branches off (an alarm that cleared before it was
 * acknowledged repeats its raise, with the raise's Time and values).
 */
export function isBranchEvent(record: EventRecord): boolean {
  const branch = record.fields.BranchId;
  return branch !== null && branch !== undefined;
}

/** True for a problem, false for a point. */
export function isProblem(x: Point | OpcuaDecodeProblem): x is OpcuaDecodeProblem {
  return (x as Point).metric === undefined;
}

/**
 * The mapper of `plan`: pure (no I/O, no clock, no logging; the only state is the route of each
 * item, computed at its first record). A value becomes `{ metric, value, timestamp, tags, class }`
 * (class `metric` for numbers, `event` for text, booleans, arrays and structures), its tags the
 * entry's `tags` and `unit`, plus `quality` and `status` when the status is not Good under
 * `quality: tag`. An event becomes an event point whose value holds its selected fields but
 * `Time` (its timestamp) and the fields the event does not have; an event of a condition branch
 * is left out unless its entry says `branches: true`.
 */
export function createPointMapper(plan: Pick<OpcuaPlan, 'routes'>): PointMapper {
  const itemRoute = createKeyedCache(
    (item: ValueItem): ItemRoute => {
      const found = plan.routes.get(item.key);
      const route = found?.kind === 'value' ? found : undefined;
      const series = item.browsePath ? `${item.key}/${item.browsePath.join('/')}` : item.key;
      if (!route) return { route, series, metric: { ok: false, message: `${item.key}: no mapping entry has this key` } };
      if (route.metric !== undefined) return { route, series, metric: { ok: true, text: route.metric } };
      const rendered = renderMetricName(route.template!, { path: item.browsePath ?? [] });
      return { route, series, metric: rendered.ok ? rendered : { ok: false, message: `${series}: ${rendered.message}` } };
    },
    { maxKeys: MAX_ITEMS },
  );

  const value = (record: ValueRecord): Point | OpcuaDecodeProblem => {
    const { route, series, metric } = itemRoute(record.item);
    if (!metric.ok || !route) return { kind: route ? 'bad_metric' : 'unknown_item', message: metric.ok ? series : metric.message, item: series };
    if (record.value === null || record.value === undefined) {
      return { kind: 'no_value', message: `${series} (${record.item.nodeId}): the server sent status ${record.status} and no value`, item: series };
    }
    if (record.quality !== 'good' && route.quality === 'drop') {
      return { kind: 'bad_quality', message: `${series} (${record.item.nodeId}): status ${record.status}; not sent (quality: drop)`, item: series };
    }
    const tags = record.quality === 'good' ? route.tags : { ...route.tags, quality: record.quality, status: record.status };
    return pointOf(metric.text, record.value, record.timestampMs, tags);
  };

  const event = (record: EventRecord): Point | OpcuaDecodeProblem | undefined => {
    const found = plan.routes.get(record.item.key);
    if (found?.kind !== 'event') return { kind: 'unknown_item', message: `${record.item.key}: no events entry has this key`, item: record.item.key };
    if (!found.branches && isBranchEvent(record)) return undefined;
    return eventPoint(found, record);
  };

  const timestampProblem = (record: ValueRecord | EventRecord): OpcuaDecodeProblem | undefined => {
    if (!record.refusedTimestamp) return undefined;
    const refused = record.refusedTimestamp;
    if ('fields' in record) {
      const fix = 'set the clock of the device that raises these events, or timestamp: local to use the time they are received';
      return refusedProblem(record.item.key, `${record.item.key}: an event's Time`, refused.ms, 'local', fix);
    }
    const { series } = itemRoute(record.item);
    const fix = refused.clock === 'server' ? "set the OPC UA server's clock, or timestamp: local to use this machine's time" : "set the device's (the PLC's) clock, or timestamp: server to use the server's time";
    return refusedProblem(series, `${series} (${record.item.nodeId}): its ${refused.clock} timestamp`, refused.ms, record.timestampFrom, fix);
  };

  return {
    item: itemRoute,
    value,
    event,
    timestampProblem,
    batch(batch) {
      const points: Point[] = [];
      const problems: OpcuaDecodeProblem[] = [];
      const take = (record: ValueRecord | EventRecord, out: Point | OpcuaDecodeProblem): void => {
        if (isProblem(out)) return void problems.push(out);
        points.push(out);
        const late = timestampProblem(record);
        if (late) problems.push(late);
      };
      for (const record of batch.values) take(record, value(record));
      for (const record of batch.events) {
        const out = event(record);
        if (out !== undefined) take(record, out);
      }
      for (const problem of batch.problems) problems.push({ kind: problem.kind, message: problem.message, ...(problem.item === undefined ? {} : { item: problem.item }) });
      return { points, problems };
    },
  };
}

function pointOf(metric: string, value: PointValue, timestamp: number, tags: Tags | undefined): Point {
  const point: Point = { metric, value, timestamp, class: typeof value === 'number' ? 'metric' : 'event' };
  if (tags !== undefined) point.tags = tags;
  return point;
}

function eventPoint(route: EventRoute, record: EventRecord): Point | OpcuaDecodeProblem {
  const rendered = renderMetricName(route.template, record.fields);
  if (!rendered.ok) return { kind: 'bad_metric', message: `${route.key}: ${rendered.message}`, item: route.key };
  const value: Record<string, PointValue> = {};
  for (const [name, field] of Object.entries(record.fields)) {
    if (name !== 'Time' && field !== null) value[name] = field;
  }
  // Each field is bounded on its own; together they must still fit an event value.
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > POINT_LIMITS.eventValueMaxBytes) {
    return { kind: 'too_large', message: `${route.key}: an event of ${bytes} bytes of JSON (at most ${POINT_LIMITS.eventValueMaxBytes}); select fewer fields`, item: route.key };
  }
  const point: Point = { metric: rendered.text, value, timestamp: record.timestampMs, class: 'event' };
  if (route.tags !== undefined) point.tags = route.tags;
  return point;
}

/** The earliest time the ingest service takes, as a date for messages (2001-09-09). */
const FLOOR_DATE = new Date(POINT_LIMITS.minTimestampMs).toISOString().slice(0, 10);

/**
 * Says what a refused timestamp was (`whose`, at `ms`), which clock stamped the point instead
 * (`used`) and what to do (`fix`): set the clock that is wrong, or stamp by one that is right.
 */
function refusedProblem(item: string, whose: string, ms: number, used: string, fix: string): OpcuaDecodeProblem {
  const when = Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
  const why =
    ms < POINT_LIMITS.minTimestampMs
      ? `is before ${FLOOR_DATE}, which the ingest service refuses (a clock that was never set?)`
      : `is more than ${MAX_AHEAD_MS / 3_600_000} h ahead of this machine's clock (a clock set wrong?)`;
  const instead = used === 'server' ? "the server's timestamp" : 'the time it was received';
  return { kind: 'bad_timestamp', message: `${whose} ${when} ${why}: sent with ${instead} instead; ${fix}`, item };
}
