import { durationMs } from '../config/units.js';

/** Bounds and default of a command-line duration (`--scan [duration]`). */
export interface DurationOptionSpec {
  /** The option as the user typed it, for the message: `--scan`. */
  flag: string;
  /** When the option came without a value. */
  defaultMs: number;
  minMs: number;
  maxMs: number;
}

/** How long a look at the source listens (`--scan [duration]`): 10 s unless told, 1 s to an hour. */
export const SCAN_DURATION: DurationOptionSpec = { flag: '--scan', defaultMs: 10_000, minMs: 1000, maxMs: 3_600_000 };

/**
 * A bridge option's duration (`--scan 30s`, `--scan 2m`, `--scan 1500` in ms; the default when given bare, as
 * commander reports `true`), or the message for a value it cannot use, naming the option, its
 * value and the range.
 */
export function durationOption(value: unknown, spec: DurationOptionSpec): { ok: true; ms: number } | { ok: false; message: string } {
  if (typeof value !== 'string') return { ok: true, ms: spec.defaultMs };
  // A bare number on the command line is milliseconds, as in a mapping file.
  const parsed = durationMs({ minMs: spec.minMs, maxMs: spec.maxMs }).safeParse(/^\d+$/.test(value) ? Number(value) : value);
  if (parsed.success) return { ok: true, ms: parsed.data };
  const why = parsed.error.issues[0]?.message ?? 'not a duration';
  // `--scan 30` meant as seconds: say so, rather than only that 30 ms is too short.
  const seconds = Number(value) * 1000;
  if (/^\d+$/.test(value) && seconds >= spec.minMs && seconds <= spec.maxMs) {
    return { ok: false, message: `${spec.flag} ${value}: a bare number is milliseconds, and ${why}: for ${value} seconds write ${spec.flag} ${value}s` };
  }
  return { ok: false, message: `${spec.flag} ${value}: ${why} (e.g. 30s, 2m)` };
}
