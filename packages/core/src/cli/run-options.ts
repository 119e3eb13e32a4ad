import { durationMs } from '../config/units.js';
import type { CliOptions } from './parse-args.js';

/** The run options every command shares, checked. */
export interface RunOptions {
  dryRun: boolean;
  once: boolean;
  /** `--once-timeout`, in ms. */
  onceTimeoutMs: number | undefined;
  session: string | undefined;
  logLevel: string | undefined;
}

/**
 * Checks `--session` and `--once-timeout` as parsed by commander. Returns the options, or the
 * message of a usage error (exit 2).
 */
export function checkRunOptions(parsed: CliOptions): RunOptions | string {
  if (parsed.session !== undefined && !(parsed.session.length > 0 && parsed.session.length <= 256)) return '--session needs a name of 1..256 characters';
  let onceTimeoutMs: number | undefined;
  if (parsed.onceTimeout !== undefined) {
    const result = durationMs({ minMs: 1, maxMs: 3_600_000 }).safeParse(/^\d+$/.test(parsed.onceTimeout) ? Number(parsed.onceTimeout) : parsed.onceTimeout);
    if (!result.success) return `--once-timeout ${parsed.onceTimeout}: ${result.error.issues[0]?.message ?? 'not a duration'}`;
    onceTimeoutMs = result.data;
  }
  return { dryRun: !!parsed.dryRun, once: !!parsed.once, onceTimeoutMs, session: parsed.session, logLevel: parsed.logLevel };
}
