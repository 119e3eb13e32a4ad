import { z } from 'zod';
import { keyFileProblem } from '../shared/key-file.js';
import { sinkUrlProblem } from '../shared/sink-url.js';
import { REQUEST_LIMITS, SOURCE_ID_PATTERN } from '../point/point.js';
import { rulesSchema } from './rules-schema.js';
import { durationMs, sizeBytes } from './units.js';

const positiveInt = z.number().int().positive();

/** A PEM given inline, or a file that must exist (relative to the working directory). */
const pem = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    const problem = keyFileProblem(v, { inlinePem: true });
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
const tagMap = z.record(z.string().max(256), z.string().max(256)).refine((t) => Object.keys(t).length <= 16, 'at most 16 tags');

/** Schema of the `sink` section (DESIGN section 5). */
export const sinkSectionSchema = z.strictObject({
  url: z
    .string()
    .regex(/^(stdout|https?:\/\/.+|wss?:\/\/.+)$/, 'expected http(s)://host/ingest, ws(s)://host/ws/device or stdout')
    .superRefine((url, ctx) => {
      const problem = sinkUrlProblem(url);
      if (problem !== undefined && /^(https?|wss?):\/\/./.test(url)) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('stdout')
    .describe('Ingest URL: http(s)://…/ingest, ws(s)://…, or stdout (NDJSON). Default stdout.'),
  api_key: z
    .string()
    .max(4096)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'contains a control character (a newline read from a file?); it could never be sent in a header')
    .optional()
    .describe('Sent as x-api-key. Use ${PLEXUS_API_KEY} rather than the key itself.'),
  tls: z
    .strictObject({
      ca: pem.optional().describe('CA certificate(s) that signed the server\'s certificate: a PEM file path or inline PEM. Default: the system CAs.'),
      cert: pem.optional().describe('Client certificate (PEM file path or inline PEM), for servers that require one.'),
      key: pem.optional().describe('Private key of the client certificate (PEM file path or inline PEM).'),
      server_name: z.string().min(1).max(253).optional().describe('Name the server\'s certificate must carry (SNI too). Default: the URL\'s host.'),
      verify: z.boolean().optional().describe('Verify the server\'s certificate. Default true; false only for tests.'),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'a client certificate needs both cert and key', path: ['cert'] })
    .optional()
    .describe('TLS for https:// and wss:// sinks (a private CA, a client certificate).'),
  batch: z
    .strictObject({
      max_points: positiveInt.max(REQUEST_LIMITS.maxPoints).optional().describe(`Seal a batch at this many points. Default 1000, at most ${REQUEST_LIMITS.maxPoints}.`),
      max_bytes: sizeBytes({ min: 1024, max: REQUEST_LIMITS.maxBodyBytes }).optional().describe('Seal a batch before its JSON passes this size. Default 1MiB (range 1KiB..5MiB).'),
      linger_ms: durationMs({ maxMs: 60_000 }).optional().describe('Seal a batch this long after its first point. Default 1s (range 0..1m).'),
    })
    .optional(),
  buffer: z
    .strictObject({
      path: z.string().optional().describe('Directory of the durable spool (relative paths are read from the working directory).'),
      max_bytes: sizeBytes({ min: 64 * 1024 }).optional().describe('Cap on spooled data. Default 256MiB (range 64KiB..1TiB).'),
      when_full: z
        .enum(['drop_oldest', 'drop_newest', 'block'])
        .optional()
        .describe('What a full spool gives up: drop_oldest keeps the newest data, drop_newest the oldest, block makes the bridges skip polls instead. Default drop_oldest.'),
      max_age: durationMs({ minMs: 1000, maxMs: 366 * 86_400_000 }).optional().describe('Drop spooled data older than this (range 1s..366d). Default: kept.'),
      durability: z
        .enum(['process', 'power'])
        .optional()
        .describe('process: a batch the spool accepted survives a crash or kill -9; power: also a power cut (every append is synced, which costs throughput). Default process.'),
    })
    .optional(),
  retry: z
    .strictObject({
      initial_delay_ms: durationMs({ minMs: 1, maxMs: 3_600_000 }).optional().describe('First backoff delay. Default 500ms (range 1ms..1h).'),
      max_delay_ms: durationMs({ minMs: 1, maxMs: 3_600_000 }).optional().describe('Longest backoff delay. Default 30s (range 1ms..1h).'),
      max_server_error_attempts: positiveInt.max(1000).optional().describe('Attempts at a batch answered 500 before it is dead-lettered. Default 8 (about a minute at the default backoff while every request is answered 500).'),
      auth_probe_interval_ms: durationMs({ minMs: 100, maxMs: 86_400_000 }).optional().describe('Wait between probes while the key is refused. Default 1m (range 100ms..1d).'),
    })
    .optional(),
  websocket: z
    .strictObject({
      heartbeat_s: durationMs({ unit: 's', minMs: 1000, maxMs: 3_600_000 })
        .optional()
        .describe('Heartbeat and liveness ping interval (no pong, or no write reaching the socket, within twice this: reconnect). Default 30s (range 1s..1h).'),
      time_sync_interval_s: durationMs({ unit: 's', maxMs: 86_400_000 })
        .optional()
        .describe('Clock re-sync with time_sync where the server answers it; 0: at connect only. Default 5m (range 0..1d).'),
      ack_timeout_ms: durationMs({ minMs: 10, maxMs: 600_000 }).optional().describe('How long a frame waits for its ack, or the pong of the ping that follows it (neither: the connection is dropped as half-open, and the frame sent again on the next). Default: timeout_ms (range 10ms..10m).'),
      max_frame_bytes: sizeBytes({ min: 1024, max: REQUEST_LIMITS.maxWsMessageBytes })
        .optional()
        .describe('Largest telemetry frame; larger batches go as several frames. Default 1MiB (range 1KiB..1MiB).'),
      state_path: z.string().optional().describe('Directory for install_id and the assigned source_id. Default buffer.path; unset: memory only.'),
    })
    .optional()
    .describe('The WebSocket device protocol (ws:// and wss:// URLs).'),
  gzip: z.boolean().optional().describe('Compress batches with gzip (stored and sent that way). Default true.'),
  gzip_level: z.number().int().min(1).max(9).optional().describe('gzip level, 1 (fastest) to 9 (smallest). Default 1: about 8.7 bytes a point on plant-like data (the outage benchmark), so the default spool holds about 1.7 hours at 5,000 points/s.'),
  timeout_ms: durationMs({ minMs: 10, maxMs: 600_000 }).optional().describe('Timeout of one send attempt. Default 10s (range 10ms..10m).'),
  concurrency: positiveInt.max(16).optional().describe('Batches in flight at once. Default 2 (8 over WebSocket, where each batch waits a round trip for its confirmation).'),
  max_points_per_s: z.number().positive().max(10_000_000).optional().describe('Ceiling on points sent per second, so a backlog drains within rate limits. Default none.'),
  shutdown_timeout_ms: durationMs({ maxMs: 600_000 }).optional().describe('How long a stop keeps delivering. Default 8s, inside a container\'s 10 s stop timeout (range 0..10m).'),
  clock: z
    .strictObject({
      first_sample_wait_ms: durationMs({ maxMs: 3_600_000 })
        .optional()
        .describe('How long the first batches wait for the receiver\'s time before going with the local clock (counted). Default 10s.'),
    })
    .optional()
    .describe('Clock correction: timestamps follow the receiver\'s clock from the first point of a run.'),
  dead_letter: z
    .strictObject({
      path: z.string().min(1).optional().describe('The dead-letter NDJSON file. Default <buffer.path>/dead-letter.ndjson, else ./fieldbridge-dead-letter.ndjson.'),
      max_bytes: sizeBytes({ min: 64 * 1024, max: 64 * 1024 ** 3 }).optional().describe('Disk the file and its one rotation (.1) may take. Default 64MiB (range 64KiB..64GiB).'),
    })
    .optional()
    .describe('Where refused points go, with the reason.'),
  signing: z
    .strictObject({
      secret: z
        .string()
        .min(16, 'at least 16 characters: a short secret can be guessed')
        .max(4096)
        .describe('The HMAC-SHA256 key the receiver shares. Use ${FIELDBRIDGE_SIGNING_SECRET} rather than the secret itself.'),
    })
    .optional()
    .describe('Sign every batch: x-fieldbridge-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>." and the body as sent>; over WebSocket, a signature first in every telemetry frame.'),
});

/** Schema of the `observe` section: where `/healthz`, `/readyz` and `/metrics` listen. */
export const observeSectionSchema = z.strictObject({
  listen: z
    .string({ error: 'expected host:port, e.g. 127.0.0.1:9464 (a port alone does not say on which interface)' })
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
    .describe('host:port of the health and metrics server.'),
});

/** The levels a log may be set to, in the file (`log.level`) and on the command line (`--log-level`). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Schema of the `log` section. */
export const logSectionSchema = z.strictObject({
  level: z
    .enum(LOG_LEVELS)
    .default('info')
    .describe('The least severe level logged (--log-level overrides it). Default info.'),
});

/** The keys every mapping file has, whatever its bridge. */
export const commonShape = {
  source_id: z
    .string()
    .max(256)
    .regex(SOURCE_ID_PATTERN, `must match ${SOURCE_ID_PATTERN.source} (lower case letters, digits, . _ -)`)
    .describe('Identifies this bridge to the ingest service.'),
  tags: tagMap.optional().describe('Tags added to every point. With those the bridges add (device, unit, ...) and, in a file of several sections, bridge and channel, a point carries at most 16: the file is refused where they would make more.'),
  sink: sinkSectionSchema.default({ url: 'stdout' }),
  observe: observeSectionSchema.optional(),
  log: logSectionSchema.optional(),
  rules: rulesSchema.optional(),
};

/** The validated common part of a mapping file. */
export type CommonConfig = z.output<z.ZodObject<typeof commonShape>>;
