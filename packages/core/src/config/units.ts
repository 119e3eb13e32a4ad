import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4,
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A byte size: a number of bytes or a string like `256MiB`, `1.5 GB`. Parses to bytes. */
export const byteSize = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i, 'expected a size such as 512MiB or 1GB'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseWithUnits(v, SIZE_UNITS, 'b')))
  .describe('Bytes, or a size such as 512MiB, 1.5GB (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB).');

/** A duration: a number of ms or a string like `500ms`, `30s`, `7d`. Parses to ms. */
export const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*$/, 'expected a duration such as 500ms, 30s, 5m, 7d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseWithUnits(v, DURATION_UNITS, 'ms')))
  .describe('Milliseconds, or a duration such as 500ms, 30s, 5m, 12h, 7d, 2w.');

function parseWithUnits(text: string, units: Record<string, number>, fallback: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)!;
  return Math.round(Number(m[1]) * (units[(m[2] || fallback).toLowerCase()] ?? 1));
}
