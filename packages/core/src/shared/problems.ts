import type { Logger } from 'pino';

/**
 * Logs a recurring problem once per episode instead of once per occurrence. An episode
 * starts at the first `report(key)` and ends at `resolve(key)`, which logs how many
 * occurrences were suppressed. Counting is left to the caller's metrics.
 */
export interface ProblemReporter {
  /** Records one occurrence; logs only the first of an episode. Returns true when it logged. */
  report(key: string, message: string, fields?: Record<string, unknown>): boolean;
  /** Ends the episode for `key`, logging its end if one was open. */
  resolve(key: string, message?: string): void;
  /** Keys with an open episode. */
  open(): string[];
}

/** Creates a {@link ProblemReporter} logging to `logger` (warn on start, info on end). */
export function createProblemReporter(logger: Logger): ProblemReporter {
  const episodes = new Map<string, { count: number; since: number }>();
  return {
    report(key, message, fields) {
      const ep = episodes.get(key);
      if (ep) {
        ep.count += 1;
        return false;
      }
      episodes.set(key, { count: 1, since: Date.now() });
      logger.warn({ problem: key, ...fields }, `${message} (further occurrences are counted, not logged, until it recovers)`);
      return true;
    },
    resolve(key, message) {
      const ep = episodes.get(key);
      if (!ep) return;
      episodes.delete(key);
      logger.info(
        { problem: key, occurrences: ep.count, durationMs: Date.now() - ep.since },
        message ?? `recovered: ${key}`,
      );
    },
    open: () => [...episodes.keys()],
  };
}
