import { formatDuration } from '../config/units.js';
import type { ProblemReporter, ReportOptions } from '../shared/problems.js';

/** Options of {@link createOutage}. */
export interface OutageOptions {
  /** The episode's key, e.g. `mqtt.connection`. */
  key: string;
  /** A connection that lasted this long ends the episode, in ms (as the reconnector's `stableMs`). Default 30 000; 0 ends it at once. */
  stableMs?: number;
}

/**
 * A connection's trouble as one problem episode: the first failure is logged, later ones are
 * counted, and the episode ends only once a connection has lasted `stableMs`, so a peer that
 * accepts and then closes at once logs one line, not two every cycle.
 */
export interface Outage {
  /** An attempt failed or the connection went: reported, logged only when it opens the episode (`options` as {@link ProblemReporter.report}'s). */
  failed(message: string, fields?: Record<string, unknown>, options?: ReportOptions): void;
  /**
   * A connection is up. False while an episode is open (it ends, logging `recovered`, once the
   * connection has lasted); true when none was, for the caller to log the connection itself.
   */
  connected(recovered: string): boolean;
  /** Clears the timer. */
  stop(): void;
}

/** Creates an {@link Outage} on a bridge's problem reporter (`ctx.problems`). Its timer never holds the process open. */
export function createOutage(problems: ProblemReporter, options: OutageOptions): Outage {
  const stableMs = options.stableMs ?? 30_000;
  let open = false;
  let timer: NodeJS.Timeout | undefined;
  const end = (message: string): void => {
    open = false;
    problems.resolve(options.key, message);
  };
  return {
    failed(message, fields, reportOptions) {
      clearTimeout(timer);
      open = true;
      problems.report(options.key, message, fields, reportOptions);
    },
    connected(recovered) {
      if (!open) return true;
      clearTimeout(timer);
      if (stableMs > 0) timer = setTimeout(() => end(`${recovered} (the connection held ${formatDuration(stableMs)})`), stableMs).unref();
      else end(recovered);
      return false;
    },
    stop: () => clearTimeout(timer),
  };
}
