import type { Clock } from '../clock/clock.js';
import type { DashboardControl } from '../control/dashboard-control.js';
import type { Point, Tags } from '../point/point.js';
import { checkTags, validatePoint } from '../point/validate-point.js';
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
  /** False once `close()` began. */
  accepting(): boolean;
}

/**
 * The sink's `write()`: validate what the caller gave (a point that breaks a rule is
 * dead-lettered with the reason, never thrown), stamp what it lacks (time, the sink's tags, the
 * session), ask the dashboard's stream request, and hand it to the batcher. A timestamp the
 * caller supplied is checked; one the sink stamps is not (it is ours, and before the first
 * server sample it is provisional, resolved when the batch goes out, as is a caller's stamp
 * taken from the sink's clock then).
 */
export function createIntake(o: IntakeOptions): (input: Point) => void {
  const refuse = (input: unknown, reason: string, drop: DropReason) => {
    o.deadLetter.write([input], reason);
    o.drop(drop, 1);
    o.problems.report('invalid-point', `invalid point refused and written to ${o.deadLetter.path}: ${reason}`, { metric: (input as Point | null)?.metric });
  };

  return (input) => {
    o.metrics.received.add();
    if (!o.accepting()) {
      o.deadLetter.write([input], 'written after close()');
      o.drop('closed', 1);
      return;
    }
    const reason = validatePoint(input);
    if (reason) return refuse(input, reason, 'invalid');
    const point: Point = { ...input };
    const stamped = point.timestamp === undefined;
    // A stamp from the sink's clock before its first sample, ours or the caller's, is provisional.
    const early = stamped || (typeof point.timestamp === 'number' && o.earlyStamp(point.timestamp));
    if (stamped) point.timestamp = o.clock.now();
    if (o.tags) {
      point.tags = input.tags ? { ...o.tags, ...input.tags } : o.tags;
      const tagProblem = input.tags ? checkTags(point.tags) : undefined;
      // Recorded as refused: with the sink's tags, which made too many.
      if (tagProblem) return refuse(point, `with the sink's tags: ${tagProblem}`, 'invalid');
    }
    const session = o.control.session();
    if (session !== undefined && point.session_id === undefined) point.session_id = session;
    const verdict = o.control.admit(point);
    if (verdict !== 'pass') return o.drop(verdict, 1);
    o.metrics.written.add();
    o.batcher.add(point, early && o.provisional());
  };
}
