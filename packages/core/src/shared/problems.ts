import type { Logger } from 'pino';
import { excerpt } from './text.js';

/**
 * Logs a recurring problem once per episode instead of once per occurrence. An episode
 * starts at the first `report(key)` and ends at `resolve(key)`, which logs how many
 * occurrences there were. A problem that flaps (resolved and back within a minute, saying the
 * same) is not logged again until a minute has passed since its last line, so "once per
 * episode" never becomes several lines a second; one back with another message (another cause:
 * HTTP 429 after a refused connection) is a new story, logged. Counting is left to the
 * caller's metrics.
 */
export interface ProblemReporter {
  /**
   * Records one occurrence; logs only the first of an episode. Returns true when it logged.
   * `options.last`: no occurrence will follow (a `--once` cycle ends at it), so its line does not
   * say that further ones are counted.
   */
  report(key: string, message: string, fields?: Record<string, unknown>, options?: ReportOptions): boolean;
  /** Ends the episode for `key`, logging its end if its start was logged. */
  resolve(key: string, message?: string): void;
  /** Keys with an open episode. */
  open(): string[];
}

/** How {@link ProblemReporter.report} logs an occurrence. */
export interface ReportOptions {
  /** No occurrence will follow: the line leaves out that further ones are counted. */
  last?: boolean;
}

/** A problem that comes back saying the same within this long of its last log line is counted, not logged again. */
export const FLAP_WINDOW_MS = 60_000;
/** Keys whose last log time is remembered, to damp flapping; the oldest are forgotten past it. */
const MAX_REMEMBERED = 10_000;

interface Episode {
  count: number;
  since: number;
  logged: boolean;
}

/**
 * Creates a {@link ProblemReporter} logging to `logger` (warn on start, info on end). Messages
 * and string fields are cut to a bound and made printable: they often carry text a peer sent.
 */
export function createProblemReporter(logger: Logger, now: () => number = Date.now): ProblemReporter {
  const episodes = new Map<string, Episode>();
  const lastLogged = new Map<string, { at: number; message: string }>();
  const remember = (key: string, at: number, message: string): void => {
    lastLogged.delete(key);
    if (lastLogged.size >= MAX_REMEMBERED) lastLogged.delete(lastLogged.keys().next().value as string);
    lastLogged.set(key, { at, message });
  };
  return {
    report(key, message, fields, options) {
      const ep = episodes.get(key);
      if (ep) {
        ep.count += 1;
        return false;
      }
      const t = now();
      const last = lastLogged.get(key);
      const logged = last === undefined || t - last.at >= FLAP_WINDOW_MS || last.message !== gist(message);
      episodes.set(key, { count: 1, since: t, logged });
      if (logged) {
        remember(key, t, gist(message));
        const note = options?.last ? '' : ' (further occurrences are counted, not logged, until it recovers)';
        logger.warn({ problem: excerpt(key, 200), ...bounded(fields) }, `${excerpt(message, 1000)}${note}`);
      }
      return logged;
    },
    resolve(key, message) {
      const ep = episodes.get(key);
      if (!ep) return;
      episodes.delete(key);
      if (!ep.logged) return;
      logger.info({ problem: excerpt(key, 200), occurrences: ep.count, durationMs: now() - ep.since }, excerpt(message ?? `recovered: ${key}`, 1000));
    },
    open: () => [...episodes.keys()],
  };
}

/**
 * A message without what changes from one occurrence of the same cause to the next (request
 * ids, times, ports: words of 4 or more hex digits and dashes with a digit among them; and
 * measured quantities, a number with its unit: "a poll took 27 ms"); status codes and settings
 * ("HTTP 503", "poll_ms 20") stay.
 */
function gist(message: string): string {
  return message.replace(/\b(?=[0-9a-f-]*\d)[0-9a-f-]{4,}\b/gi, '#').replace(MEASURED, '#$1');
}

/** A number followed by a unit of time, size or share. */
const MEASURED = /\b\d+(?:\.\d+)?(\s?(?:ns|µs|us|ms|s|min|h|%|B|KiB|MiB|GiB|kB|MB|GB|bytes))(?![\w.])/g;

function bounded(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = typeof v === 'string' ? excerpt(v) : v;
  return out;
}
