import type { Logger } from 'pino';
import { isFieldbridgeError } from '../errors.js';
import { backoffDelayMs, type Backoff } from '../shared/backoff.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { Spool } from '../spool/spool.js';

/** Failures in a row (other than a full disk) after which the spool is given up and started anew. */
export const RECOVER_AFTER_FAILURES = 5;

/** Options of {@link createSpoolHealth}. */
export interface SpoolHealthOptions {
  spool: Spool;
  logger: Logger;
  problems: ProblemReporter;
  backoff: Backoff;
  random?: () => number;
  /** The spool was given up and started anew: `points` that were in it are not sent. */
  onRecovered(points: number): void;
}

/**
 * How the spool is doing, as the delivery loop and the write path see it. A failing spool never
 * kills delivery: each failure backs off and is retried; after {@link RECOVER_AFTER_FAILURES} in
 * a row (a file SQLite reports corrupt, an I/O error) the spool moves its file aside as at start
 * and begins empty, saying how much was left behind. A full disk is never "recovered" that way
 * (moving the file would lose data for a condition that passes): it is said once, plainly, and
 * new batches are held back so the space an operator frees goes to acknowledgements first
 * (delivery itself goes on: the spool keeps the acknowledgements it has no room for in memory).
 */
export interface SpoolHealth {
  /** A delivery operation succeeded: ends the failure episode. */
  ok(): void;
  /**
   * New data was stored: ends a full disk (an acknowledgement may fit in the WAL where new data
   * does not, so only this says the disk has room again). A failure of another kind goes on.
   */
  stored(): void;
  /** An operation failed: counts and reports it; returns how long to wait before trying again, in ms. */
  failed(err: unknown, op: string): number;
  /** True while spool operations keep failing: nothing is delivered (`/readyz` is unready). */
  stalled(): boolean;
  /** True while the disk is full (or acknowledgements wait for room): the write path holds new batches back. */
  diskFull(): boolean;
}

/** Creates the {@link SpoolHealth} of a sink. */
export function createSpoolHealth(o: SpoolHealthOptions): SpoolHealth {
  let failures = 0;
  let full = false;
  // The full disk was said and its end not yet.
  let fullSaid = false;
  return {
    ok() {
      if (failures === 0 && !full) return;
      failures = 0;
      o.problems.resolve('spool:failure', 'the spool works again; delivery resumes');
      // Delivery goes on while the disk is full (acknowledgements it has no room for are kept in
      // memory): new data is offered again once they are written.
      if (full && (o.spool.unwrittenAcks?.() ?? 0) > 0) return;
      full = false;
    },
    stored() {
      if (full) {
        full = false;
        failures = 0;
      }
      if (!fullSaid) return;
      fullSaid = false;
      o.problems.resolve('spool:disk-full', 'the disk has room again; new data is stored again');
    },
    failed(err, op) {
      failures += 1;
      full = isFieldbridgeError(err, 'SPOOL_FULL');
      if (full) fullSaid = true;
      const message = (err as Error).message;
      if (full) {
        o.problems.report('spool:disk-full', `the disk under the spool is full (${op} failed): nothing is lost yet, new data is held back (what the spool holds is still sent); free some space`, { op });
      } else {
        o.problems.report('spool:failure', `the spool failed (${op}): ${message}; retrying`, { op });
        if (failures >= RECOVER_AFTER_FAILURES && o.spool.recover) {
          try {
            const lost = o.spool.recover(`${failures} operations in a row failed, the last: ${message}`);
            failures = 0;
            if (lost.points > 0) o.logger.error({ points: lost.points, batches: lost.batches }, `${lost.points} spooled points stay in the moved spool file and will not be sent`);
            o.onRecovered(lost.points);
          } catch (recoverErr) {
            o.logger.error({ err: recoverErr }, 'the spool could not be started anew; retrying');
          }
        }
      }
      return backoffDelayMs(Math.min(failures, 10), o.backoff, o.random);
    },
    stalled: () => failures > 0,
    diskFull: () => full,
  };
}
