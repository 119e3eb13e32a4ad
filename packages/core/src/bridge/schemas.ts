import { z } from 'zod';
import { durationMs } from '../config/units.js';
import { POINT_LIMITS } from '../point/point.js';

/**
 * Tags in a mapping file, by the point's own rule: at most 16, keys of 1..256 characters, string
 * values of at most 256.
 */
export const tagsSchema = z
  .record(z.string().min(1).max(POINT_LIMITS.tagMaxChars), z.string().max(POINT_LIMITS.tagMaxChars))
  .refine((tags) => Object.keys(tags).length <= POINT_LIMITS.maxTags, `at most ${POINT_LIMITS.maxTags} tags (the ingest service refuses more)`)
  .describe(`Tags added to the points (at most ${POINT_LIMITS.maxTags}, string values).`);

/** The defaults of {@link reconnectSchema}, in ms. */
export const RECONNECT_DEFAULTS = { initialMs: 500, maxMs: 30_000 } as const;

/**
 * The `reconnect` key every bridge shares: `{ initial_ms, max_ms }`, durations (`500ms`, `30s`, or
 * a number of ms) with `initial_ms` not above `max_ms`.
 */
export const reconnectSchema = z
  .strictObject({
    initial_ms: durationMs({ minMs: 10, maxMs: 3_600_000 }).optional().describe('First delay before reconnecting. Default 500ms (range 10ms..1h).'),
    max_ms: durationMs({ minMs: 10, maxMs: 3_600_000 }).optional().describe('Longest delay between attempts. Default 30s (range 10ms..1h).'),
  })
  .refine((r) => r.initial_ms === undefined || r.max_ms === undefined || r.initial_ms <= r.max_ms, { message: 'initial_ms must not exceed max_ms', path: ['initial_ms'] })
  .describe('Reconnect backoff: the delay doubles from initial_ms up to max_ms, with jitter; it starts over once a connection has lasted 30 s.');

/** A `reconnect` section with the defaults applied, in ms. */
export function reconnectPolicy(section: z.output<typeof reconnectSchema> | undefined): { initialMs: number; maxMs: number } {
  return { initialMs: section?.initial_ms ?? RECONNECT_DEFAULTS.initialMs, maxMs: section?.max_ms ?? RECONNECT_DEFAULTS.maxMs };
}

/** `max_rate_hz` as bridges accept it: at most this many points per second per series. */
export const maxRateHzSchema = z.number().positive().max(10_000).describe('At most this many points per second per series (the rest are held back, counted as suppressed).');

/**
 * A name a mapping gives a device, a bus or a line: the `{device}` in metric names, a tag value
 * and a channel in `/readyz` and the metrics, so letters, digits, `.`, `_` and `-` only, at most
 * `max` characters. `what` names the key in the message (`name`, `bus`).
 */
export function channelNameSchema(what: string, max = 128) {
  return z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, `${what}: letters, digits, ".", "_" and "-" only`)
    .max(max);
}
