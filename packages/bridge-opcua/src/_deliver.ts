import { createChangeFilter, createKeyedProblems, type BridgeContext, type Channel, type ChangeFilter, type Point } from '@fieldbridge/core/bridge';
import type { OpcuaMetrics } from './_metrics.js';
import { createPointMapper, isProblem, type OpcuaDecodeProblem } from './decode.js';
import type { NotificationBatch } from './notifications.js';
import type { OpcuaPlan, ValueRoute } from './plan.js';

/** Problems that name no series share this episode key. */
const NO_SERIES = 'notification';

/**
 * What the source does with each NotificationMessage: maps its records to points (decode),
 * keeps back what `max_rate_hz` / `on_change` hold (one kit change filter per mapping entry, a
 * series per variable), emits the rest on the channel in one call, and counts and reports the
 * problems as episodes per series, ended by the series' next point.
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

  return (batch) => {
    ctx.metrics.messages(channel.name);
    const points: Point[] = [];
    let overflows = 0;
    let rate = 0;
    let unchanged = 0;
    const now = ctx.clock.monotonicNow();
    for (const record of batch.values) {
      if (record.overflow) overflows += 1;
      const out = mapper.value(record);
      if (isProblem(out)) {
        report(out);
        continue;
      }
      const { route, series } = mapper.item(record.item);
      if (troubled.size > 0 && troubled.delete(series)) problems.clean(series);
      const filter = filterOf(route);
      const verdict = filter ? filter.admit(series, out.value, now) : 'pass';
      if (verdict === 'pass') points.push(out);
      else if (verdict === 'rate') rate += 1;
      else unchanged += 1;
    }
    for (const record of batch.events) {
      const out = mapper.event(record);
      if (isProblem(out)) {
        report(out);
        continue;
      }
      if (troubled.size > 0 && troubled.delete(record.item.key)) problems.clean(record.item.key);
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
    if (overflows > 0) metrics.overflows.inc(overflows);
  };
}
