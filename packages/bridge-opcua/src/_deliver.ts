import { createChangeFilter, createKeyedProblems, type BridgeContext, type Channel, type ChangeFilter, type Point } from '@fieldbridge/core/bridge';
import { classChangeMessage, createClassWatch } from './_class-watch.js';
import type { OpcuaMetrics } from './_metrics.js';
import { createPointMapper, isProblem, type OpcuaDecodeProblem } from './decode.js';
import type { NotificationBatch } from './notifications.js';
import { OPCUA_DEFAULTS, type OpcuaPlan, type ValueRoute } from './plan.js';

/** Problems that name no series share this episode key. */
const NO_SERIES = 'notification';
/** The episode of values the server dropped from full queues. */
const OVERFLOW = 'opcua.queue_overflow';
/** Series named in an overflow message, at most. */
const OVERFLOW_NAMES = 3;

/**
 * What the source does with each NotificationMessage: maps its records to points (decode),
 * keeps back what `max_rate_hz` / `on_change` hold (one kit change filter per mapping entry, a
 * series per variable), emits the rest on the channel in one call, and counts and reports the
 * problems as episodes per series, ended by the series' next point (a point stamped by another
 * clock, because its own sent a time that cannot be right, is sent and reported too). Values the
 * server dropped from full queues are counted and warned about once per episode, with how many
 * items and which, ended by a message without any. A series whose values stop or start being
 * numbers (a variable whose data type the server changed) moves between class `metric` and
 * `event`: warned about once (`type_changed`), ended when its values are as they began again.
 */
export function createDelivery(plan: OpcuaPlan, ctx: BridgeContext, channel: Channel, metrics: OpcuaMetrics): (batch: NotificationBatch) => void {
  const mapper = createPointMapper(plan);
  const problems = createKeyedProblems(ctx.problems, { prefix: 'opcua.value' });
  const filters = new Map<ValueRoute, ChangeFilter>();
  const filterOf = (route: ValueRoute | undefined): ChangeFilter | undefined => {
    if (!route?.filter) return undefined;
    let filter = filters.get(route);
    if (!filter) filters.set(route, (filter = createChangeFilter(route.filter)));
    return filter;
  };
  // Series with an open episode: a clean value ends it. Kept here so that the usual case, no
  // problem anywhere, costs one size check per value rather than a lookup.
  const troubled = new Set<string>();
  const report = (problem: OpcuaDecodeProblem): void => {
    ctx.metrics.error(channel.name, problem.kind);
    const series = problem.item ?? NO_SERIES;
    troubled.add(series);
    problems.report(series, problem.kind, problem.message, problem.item === undefined ? {} : { item: problem.item });
  };

  // Apart from the value problems: a clean value (of the new type) must not end this episode.
  const typeProblems = createKeyedProblems(ctx.problems, { prefix: 'opcua.value' });
  const classes = createClassWatch();
  const watchClass = (series: string, nodeId: string, point: Point): void => {
    const verdict = classes.see(series, point);
    if (verdict === 'back') typeProblems.clean(series);
    if (verdict !== 'changed') return;
    ctx.metrics.error(channel.name, 'type_changed');
    typeProblems.report(series, 'type_changed', classChangeMessage(series, nodeId, point), { item: series, metric: point.metric });
  };

  const queueSizes = new Map([...plan.variables, ...plan.folders].map((spec) => [spec.key, spec.queueSize ?? OPCUA_DEFAULTS.queueSize]));
  let overflowing = false;
  // The server flags the value after those it dropped from a full queue (an outage, a hold, a
  // sampling faster than the publishing): a warning per episode, which a message without ends.
  const reportOverflows = (series: ReadonlyMap<string, number | undefined>): void => {
    if (series.size === 0) {
      if (overflowing) ctx.problems.resolve(OVERFLOW, `${channel.name}: no more values dropped at the server`);
      overflowing = false;
      return;
    }
    overflowing = true;
    const named = [...series].slice(0, OVERFLOW_NAMES).map(([name, size]) => (size === undefined ? name : `${name} (queue_size ${size})`));
    const more = series.size > OVERFLOW_NAMES ? ` and ${series.size - OVERFLOW_NAMES} more` : '';
    ctx.problems.report(
      OVERFLOW,
      `${channel.name}: the server dropped values of ${series.size} item(s) whose queue overflowed: ${named.join(', ')}${more}; raise their queue_size to keep what changes between two publishes or during an outage`,
      { items: series.size },
    );
  };

  return (batch) => {
    ctx.metrics.messages(channel.name);
    const points: Point[] = [];
    let overflows = 0;
    const overflowed = new Map<string, number | undefined>();
    let rate = 0;
    let unchanged = 0;
    const now = ctx.clock.monotonicNow();
    for (const record of batch.values) {
      if (record.overflow) {
        overflows += 1;
        const { route, series, metric } = mapper.item(record.item);
        overflowed.set(metric.ok ? metric.text : series, route ? queueSizes.get(route.key) : undefined);
      }
      const out = mapper.value(record);
      if (isProblem(out)) {
        report(out);
        continue;
      }
      const { route, series } = mapper.item(record.item);
      // A value stamped by another clock than asked is sent, but its series is not clean.
      const late = record.refusedTimestamp ? mapper.timestampProblem(record) : undefined;
      if (late) report(late);
      else if (troubled.size > 0 && troubled.delete(series)) problems.clean(series);
      watchClass(series, record.item.nodeId, out);
      const filter = filterOf(route);
      const verdict = filter ? filter.admit(series, out.value, now) : 'pass';
      if (verdict === 'pass') points.push(out);
      else if (verdict === 'rate') rate += 1;
      else unchanged += 1;
    }
    let branches = 0;
    for (const record of batch.events) {
      const out = mapper.event(record);
      if (out === undefined) {
        branches += 1;
        continue;
      }
      if (isProblem(out)) {
        report(out);
        continue;
      }
      const late = record.refusedTimestamp ? mapper.timestampProblem(record) : undefined;
      if (late) report(late);
      else if (troubled.size > 0 && troubled.delete(record.item.key)) problems.clean(record.item.key);
      points.push(out);
    }
    let unnamed = false;
    for (const problem of batch.problems) {
      unnamed ||= problem.item === undefined;
      report({ kind: problem.kind, message: problem.message, ...(problem.item === undefined ? {} : { item: problem.item }) });
    }
    // Problems that name no series end with the next message free of them.
    if (!unnamed && troubled.delete(NO_SERIES)) problems.clean(NO_SERIES);
    ctx.emit(channel, points);
    if (rate > 0) ctx.metrics.suppressed(channel.name, 'rate', rate);
    if (unchanged > 0) ctx.metrics.suppressed(channel.name, 'unchanged', unchanged);
    if (branches > 0) ctx.metrics.suppressed(channel.name, 'branch', branches);
    if (overflows > 0) metrics.overflows.inc(overflows);
    if (batch.values.length > 0) reportOverflows(overflowed);
  };
}
