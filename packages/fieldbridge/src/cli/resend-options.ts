import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { durationMs, MAX_TIMER_MS } from '@fieldbridge/core';
import type { Io } from './io.js';

/** `fieldbridge resend` options as commander parses them. */
export interface ResendFlags {
  config?: string;
  reason?: string;
  dryRun?: boolean;
  timeout?: string;
  refusedTo?: string;
  logLevel?: string;
}

/** The options of a resend, checked. */
export interface ResendOptions {
  /** The dead-letter files, each once, in the order given. */
  files: string[];
  /** The mapping file whose `sink:` sends (required unless `dryRun`). */
  config: string | undefined;
  reason: RegExp | undefined;
  dryRun: boolean;
  /** `--timeout` in ms; undefined: the mapping's `sink.shutdown_timeout_ms`. */
  timeoutMs: number | undefined;
  /** Where points refused again go. */
  refusedTo: string;
  logLevel: string | undefined;
}

/**
 * Checks the files and options of `fieldbridge resend`. A file named twice (or a link to one
 * named already) is read once, said on stderr. Returns the options, or the message of a usage
 * error (exit 2).
 */
export function checkResendOptions(given: readonly string[], flags: ResendFlags, io: Io): ResendOptions | string {
  const cwd = io.cwd ?? process.cwd();
  const files: string[] = [];
  const seen = new Map<string, string>();
  for (const file of given) {
    let real: string;
    try {
      if (!statSync(resolve(cwd, file)).isFile()) return `${file}: not a file`;
      real = realpathSync(resolve(cwd, file));
    } catch (err) {
      return `${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    const first = seen.get(real);
    if (first !== undefined) {
      io.stderr.write(`${file}: the same file as ${first}; its records are read once\n`);
      continue;
    }
    seen.set(real, file);
    files.push(file);
  }
  let reason: RegExp | undefined;
  if (flags.reason !== undefined) {
    try {
      reason = new RegExp(flags.reason);
    } catch (err) {
      return `--reason ${flags.reason}: not a regular expression (${(err as Error).message})`;
    }
  }
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    const parsed = durationMs({ minMs: 1, maxMs: MAX_TIMER_MS }).safeParse(/^\d+$/.test(flags.timeout) ? Number(flags.timeout) : flags.timeout);
    if (!parsed.success) return `--timeout ${flags.timeout}: ${parsed.error.issues[0]?.message ?? 'not a duration'}`;
    timeoutMs = parsed.data;
  }
  const config = flags.config ?? io.env.FIELDBRIDGE_CONFIG;
  if (config === undefined && !flags.dryRun) return 'name the mapping file whose sink: sends the points with --config (or set FIELDBRIDGE_CONFIG)';
  const refusedTo = flags.refusedTo ?? `${files[0]}.refused.ndjson`;
  const refusedReal = realOrResolved(resolve(cwd, refusedTo));
  const clash = [...seen].find(([real]) => real === refusedReal);
  if (clash) return `--refused-to ${refusedTo}: that is ${clash[1]}, a file being read; name another file for the points refused again`;
  return { files, config, reason, dryRun: !!flags.dryRun, timeoutMs, refusedTo, logLevel: flags.logLevel };
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
