import type { Clock } from '../clock/clock.js';
import type { DashboardControl } from '../control/dashboard-control.js';
import type { Point, Tags } from '../point/point.js';
import { createCapture, Refusal } from './_capture.js';
import { withValueStamps } from './_stamps.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { Batcher } from './batcher.js';
import type { DeadLetter } from './dead-letter.js';
import type { DropReason, SinkMetrics } from './sink-metrics.js';

/** What the write path needs. */
export interface IntakeOptions {
  clock: Clock;
  /** Tags of the sink, under every point's own. */
  tags: Tags | undefined;
  control: DashboardControl;
  batcher: Batcher;
  deadLetter: DeadLetter;
  metrics: SinkMetrics;
  problems: ProblemReporter;
  drop(reason: DropReason, count: number): void;
  /**
   * True while timestamps the sink stamps are provisional: the transport can ask the receiver
   * for its time and the clock has no sample yet.
   */
  provisional(): boolean;
  /** True for a timestamp the caller took from the sink's clock while it was provisional. */
  earlyStamp(timestamp: number): boolean;
  /** The offset provisional stamps are resolved with, once the clock is synced (see `EarlyStamps.offsetMs`). */
  earlyOffsetMs(): number | undefined;
  /** False once `close()` began. */
  accepting(): boolean;
}

/**
 * The sink's `write()`: take the sink's own copy of what the caller gave and check it (a point
 * that breaks a rule is dead-lettered with the reason, never thrown; see `_capture.ts`), stamp
 * what it lacks (time, the sink's tags, the session), ask the dashboard's stream request, and
 * hand it to the batcher. Returns false when the point was refused (invalid, or written after
 * `close()`), so a writer in front of the sink (a rule set) acts only on points the sink took.
 * A timestamp the caller supplied is checked; one the sink stamps is not (it is ours, and before
 * the first server sample it is provisional, resolved when the batch goes out, as is a caller's
 * stamp taken from the sink's clock then).
 */
export function createIntake(o: IntakeOptions): (input: Point) => boolean {
  const capture = createCapture(o.tags);
  const refuse = (record: unknown, reason: string): false => {
    o.deadLetter.write([record], reason);
    o.drop('invalid', 1);
    o.problems.report('invalid-point', `invalid point refused and written to ${o.deadLetter.path}: ${reason}`, { metric: metricOf(record) });
    return false;
  };

  return (input) => {
    o.metrics.received.add();
    if (!o.accepting()) {
      o.deadLetter.write([input], 'written after close()');
      o.drop('closed', 1);
      return false;
    }
    const point = capture(input);
    if (point instanceof Refusal) return refuse(point.record, point.reason);
    const stamped = point.timestamp === undefined;
    const callerEarly = typeof point.timestamp === 'number' && o.earlyStamp(point.timestamp);
    // A stamp from the sink's clock before its first sample, ours or the caller's, is provisional.
    const early = stamped || callerEarly;
    if (stamped) point.timestamp = o.clock.now();
    const provisional = early && o.provisional();
    // Written once the clock is synced, a stamp taken before (an alert pending then, firing now)
    // is moved at once, by the offset its copies in earlier batches were moved by.
    const offsetMs = provisional ? undefined : o.earlyOffsetMs();
    if (offsetMs !== undefined) {
      if (callerEarly) point.timestamp = (point.timestamp as number) + offsetMs;
      point.value = withValueStamps(point, offsetMs, o.earlyStamp).value;
    }
    const session = o.control.session();
    if (session !== undefined && point.session_id === undefined) point.session_id = session;
    const verdict = o.control.admit(point);
    // Left out on a dashboard's request: a valid point, taken (and not sent on purpose).
    if (verdict !== 'pass') {
      o.drop(verdict, 1);
      return true;
    }
    o.metrics.written.add();
    o.batcher.add(point, provisional);
    return true;
  };
}

/** The metric of a refused record, for the log, when it has a short one. */
function metricOf(record: unknown): string | undefined {
  try {
    const metric = typeof record === 'object' && record !== null ? (record as { metric?: unknown }).metric : undefined;
    return typeof metric === 'string' ? metric.slice(0, 256) : undefined;
  } catch {
    // A point whose fields throw when read: refused for that, logged without its metric.
    return undefined;
  }
}
