import { z } from 'zod';
import { REQUEST_LIMITS, SOURCE_ID_PATTERN } from '../point/point.js';
import { byteSize, duration } from './units.js';

const positiveInt = z.number().int().positive();
const tagMap = z.record(z.string().max(256), z.string().max(256)).refine((t) => Object.keys(t).length <= 16, 'at most 16 tags');

/** Schema of the `sink` section (DESIGN section 5). */
export const sinkSectionSchema = z.strictObject({
  url: z
    .string()
    .regex(/^(stdout|https?:\/\/.+|wss?:\/\/.+)$/, 'expected http(s)://host/ingest, ws(s)://host/ws/device or stdout')
    .default('stdout')
    .describe('Ingest URL: http(s)://…/ingest, ws(s)://…, or stdout (NDJSON).'),
  api_key: z.string().optional().describe('Sent as x-api-key. Use ${PLEXUS_API_KEY} rather than the key itself.'),
  batch: z
    .strictObject({
      max_points: positiveInt.max(REQUEST_LIMITS.maxPoints).optional(),
      max_bytes: byteSize.optional(),
      linger_ms: z.number().int().nonnegative().optional(),
    })
    .optional(),
  buffer: z
    .strictObject({
      path: z.string().optional().describe('Directory of the durable spool (relative paths are read from the working directory).'),
      max_bytes: byteSize.optional(),
      when_full: z.enum(['drop_oldest', 'drop_newest', 'block']).optional(),
      max_age: duration.optional(),
      durability: z.enum(['process', 'power']).optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      initial_delay_ms: positiveInt.optional(),
      max_delay_ms: positiveInt.optional(),
      max_server_error_attempts: positiveInt.optional(),
      auth_probe_interval_ms: positiveInt.optional(),
    })
    .optional(),
  websocket: z
    .strictObject({
      heartbeat_s: z.number().positive().optional().describe('Heartbeat and liveness ping interval, in seconds (no pong within twice this: reconnect). Default 30.'),
      time_sync_interval_s: z.number().nonnegative().optional().describe('Clock re-sync with time_sync where the server answers it, in seconds; 0: at connect only. Default 300.'),
      ack_timeout_ms: positiveInt.optional().describe('How long a frame waits for its ack before it is sent again (servers with acks). Default: timeout_ms.'),
      max_frame_bytes: byteSize.optional().describe('Largest telemetry frame; larger batches go as several frames. Default 1MiB.'),
      state_path: z.string().optional().describe('Directory for install_id and the assigned source_id. Default buffer.path; unset: memory only.'),
    })
    .optional()
    .describe('The WebSocket device protocol (ws:// and wss:// URLs).'),
  gzip: z.boolean().optional(),
  timeout_ms: positiveInt.optional(),
  concurrency: positiveInt.max(16).optional(),
  max_points_per_s: z.number().positive().optional(),
  shutdown_timeout_ms: z.number().int().nonnegative().optional(),
  clock: z
    .strictObject({
      first_sample_wait_ms: duration
        .optional()
        .describe('How long the first batches wait for the receiver\'s time before going with the local clock (counted). Default 10s.'),
    })
    .optional()
    .describe('Clock correction: timestamps follow the receiver\'s clock from the first point of a run.'),
  dead_letter: z.strictObject({ path: z.string() }).optional(),
});

/** Schema of the `observe` section: where `/healthz`, `/readyz` and `/metrics` listen. */
export const observeSectionSchema = z.strictObject({
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
    .describe('host:port of the health and metrics server.'),
});

/** Schema of the `log` section. */
export const logSectionSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** The keys every mapping file has, whatever its bridge. */
export const commonShape = {
  source_id: z
    .string()
    .max(256)
    .regex(SOURCE_ID_PATTERN, `must match ${SOURCE_ID_PATTERN.source} (lower case letters, digits, . _ -)`)
    .describe('Identifies this bridge to the ingest service.'),
  tags: tagMap.optional().describe('Tags added to every point.'),
  sink: sinkSectionSchema.default({ url: 'stdout' }),
  observe: observeSectionSchema.optional(),
  log: logSectionSchema.optional(),
};

/** The validated common part of a mapping file. */
export type CommonConfig = z.output<z.ZodObject<typeof commonShape>>;
