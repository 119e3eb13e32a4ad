import type { Logger } from 'pino';
import type { SinkCloseReport } from '../sink/sink-types.js';

/**
 * A run that ends by itself (`--once`, a replay that ran out) and had points refused fails: they
 * are in the dead-letter file, not lost, but a script must not take them for delivered. (A
 * service stopped by a signal keeps exit 0: its refusals were logged as they came.) Says how many
 * and where, tells `fail`, and returns whether there were any.
 */
export function refusedPoints(reports: readonly SinkCloseReport[], file: string | undefined, logger: Logger, fail: (why: string) => void): boolean {
  const refused = reports.filter((r) => r.refused > 0);
  const count = refused.reduce((n, r) => n + r.refused, 0);
  if (count === 0) return false;
  const paths = [...new Set(refused.map((r) => r.deadLetterPath))];
  const what = `${count} point${count === 1 ? ' was' : 's were'} refused and written to ${paths.join(' and ')} with the reason`;
  const resend = file === undefined ? `fieldbridge resend ${paths.join(' ')}` : `fieldbridge resend --config ${file}`;
  logger.error({ points: count, path: paths.join(' ') }, `${what}; \`${resend}\` sends them again once that is fixed`);
  fail(what);
  return true;
}
