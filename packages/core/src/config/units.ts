import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4,
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration as text: one or more numbers each with its unit, largest first by custom (`1h30m`). */
const DURATION_TEXT = /^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g;

/** The longest a Node timer can wait, in ms (2^31 - 1, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The largest size any key accepts: 1 TiB. */
export const MAX_SIZE_BYTES = 1024 ** 4;

/** Options of {@link durationMs}. */
export interface DurationOptions {
  /** Unit of a bare number, as in the key's name (`linger_ms`, `heartbeat_s`). Default `ms`. */
  unit?: 'ms' | 's';
  /** Least value, in ms. Default 0. */
  minMs?: number;
  /** Greatest value, in ms. Default {@link MAX_TIMER_MS}. */
  maxMs?: number;
}

/**
 * A duration in a mapping file (DESIGN section 5, one rule for every section): a bare number in
 * the unit its key names (`linger_ms: 250`, `heartbeat_s: 30`), or a string with its own unit
 * (`250ms`, `30s`, `5m`, `12h`, `7d`, `2w`) or units (`1h30m`, `2m30s`, as {@link formatDuration}
 * writes them). Parses to milliseconds. Out of range values are refused with the range in the message.
 */
export function durationMs(options: DurationOptions = {}) {
  const unit = options.unit ?? 'ms';
  const minMs = options.minMs ?? 0;
  const maxMs = options.maxMs ?? MAX_TIMER_MS;
  // A key in seconds with a bound such as 65535 (a protocol's limit) says it in seconds, as the user writes it.
  const bound = (ms: number) => (unit === 's' && ms % 1000 === 0 && ms % 60_000 !== 0 ? `${ms / 1000}s` : formatDuration(ms));
  const range = `${bound(minMs)}..${bound(maxMs)}`;
  return z
    .union([
      z.number().nonnegative(),
      z.string().regex(DURATION_TEXT, `expected a duration such as 500ms, 30s, 5m, 1h30m, 7d${unit === 's' ? ', or a number of seconds' : ', or a number of milliseconds'}`),
    ])
    .transform((v) => (typeof v === 'number' ? Math.round(v * DURATION_UNITS[unit]!) : parseDurationText(v)))
    .pipe(z.number().min(minMs, `must be at least ${bound(minMs)} (range ${range})`).max(maxMs, `must be at most ${bound(maxMs)} (range ${range})`))
    .describe(`${unit === 's' ? 'Seconds' : 'Milliseconds'}, or a duration such as 500ms, 30s, 5m, 1h30m, 12h, 7d (range ${range}).`);
}

/** Options of {@link sizeBytes}. */
export interface SizeOptions {
  /** Least value, in bytes. Default 1. */
  min?: number;
  /** Greatest value, in bytes. Default {@link MAX_SIZE_BYTES}. */
  max?: number;
}

/**
 * A size in a mapping file: a number of bytes or a string with its unit (`512KiB`, `256MiB`,
 * `1.5GB`). Parses to bytes; out of range values are refused with the range in the message.
 */
export function sizeBytes(options: SizeOptions = {}) {
  const min = options.min ?? 1;
  const max = options.max ?? MAX_SIZE_BYTES;
  const range = `${formatSize(min)}..${formatSize(max)}`;
  return z
    .union([
      z.number().int().positive(),
      z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i, 'expected a size such as 512MiB or 1GB'),
    ])
    .transform((v) => (typeof v === 'number' ? v : parseWithUnits(v, SIZE_UNITS, 'b')))
    .pipe(z.number().min(min, `must be at least ${formatSize(min)} (range ${range})`).max(max, `must be at most ${formatSize(max)} (range ${range})`))
    .describe(`Bytes, or a size such as 512MiB, 1.5GB (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB; range ${range}).`);
}

/** Any byte size up to 1 TiB. */
export const byteSize = sizeBytes();

/** Any duration in ms up to the longest timer. */
export const duration = durationMs();

/** Milliseconds of a text {@link DURATION_TEXT} accepted: the sum of its parts (`1h30m` = 5,400,000). */
function parseDurationText(text: string): number {
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) ms += Number(amount) * DURATION_UNITS[unit!]!;
  return Math.round(ms);
}

/**
 * `1500` -> `1.5s`, `86400000` -> `1d`, `30000000` -> `8h20m`, for messages: days, hours, minutes
 * and seconds (weeks when it is whole weeks), each unit that is not zero, as a mapping file takes it.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  if (ms % 604_800_000 === 0) return `${ms / 604_800_000}w`;
  let rest = ms;
  let text = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) text += `${Number((rest / 1000).toFixed(3))}s`;
  return text;
}

/** `1048576` -> `1MiB`, for messages. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

function parseWithUnits(text: string, units: Record<string, number>, fallback: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)!;
  return Math.round(Number(m[1]) * (units[(m[2] || fallback).toLowerCase()] ?? 1));
}
