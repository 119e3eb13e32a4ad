import type { CommonConfig } from '../config/common-schema.js';
import { redactUrl } from '../shared/text.js';
import type { SinkOptions } from '../sink/sink-options.js';
import { readPem } from '../transport/tls.js';

/** Maps the YAML `sink` section (snake_case) and the file's `source_id`/`tags` to {@link SinkOptions}. */
export function sinkOptionsFromConfig(config: CommonConfig): SinkOptions {
  const s = config.sink;
  return {
    url: s.url,
    // An empty key (`${PLEXUS_API_KEY:-}` unset) sends no header rather than an empty one.
    apiKey: s.api_key || undefined,
    tls: s.tls && {
      ...(s.tls.ca === undefined ? {} : { ca: readPem(s.tls.ca, 'sink.tls.ca') }),
      ...(s.tls.cert === undefined ? {} : { cert: readPem(s.tls.cert, 'sink.tls.cert') }),
      ...(s.tls.key === undefined ? {} : { key: readPem(s.tls.key, 'sink.tls.key') }),
      ...(s.tls.server_name === undefined ? {} : { serverName: s.tls.server_name }),
      ...(s.tls.verify === undefined ? {} : { verify: s.tls.verify }),
    },
    ...(s.signing ? { signing: { secret: s.signing.secret } } : {}),
    sourceId: config.source_id,
    tags: config.tags,
    batch: s.batch && { maxPoints: s.batch.max_points, maxBytes: s.batch.max_bytes, lingerMs: s.batch.linger_ms },
    buffer: s.buffer && {
      path: s.buffer.path,
      maxBytes: s.buffer.max_bytes,
      whenFull: s.buffer.when_full,
      maxAgeMs: s.buffer.max_age,
      durability: s.buffer.durability,
    },
    retry: s.retry && {
      initialDelayMs: s.retry.initial_delay_ms,
      maxDelayMs: s.retry.max_delay_ms,
      maxServerErrorAttempts: s.retry.max_server_error_attempts,
      authProbeIntervalMs: s.retry.auth_probe_interval_ms,
    },
    websocket: s.websocket && {
      heartbeatMs: s.websocket.heartbeat_s,
      timeSyncIntervalMs: s.websocket.time_sync_interval_s,
      ackTimeoutMs: s.websocket.ack_timeout_ms,
      maxFrameBytes: s.websocket.max_frame_bytes,
      statePath: s.websocket.state_path,
    },
    gzip: s.gzip,
    gzipLevel: s.gzip_level,
    timeoutMs: s.timeout_ms,
    concurrency: s.concurrency,
    maxPointsPerSecond: s.max_points_per_s,
    shutdownTimeoutMs: s.shutdown_timeout_ms,
    firstSampleWaitMs: s.clock?.first_sample_wait_ms,
    deadLetterPath: s.dead_letter?.path,
    deadLetterMaxBytes: s.dead_letter?.max_bytes,
  };
}

/** The sink section with the API key, the signing secret and URL credentials hidden, for `--check` output and logs. */
export function describeSink(config: CommonConfig): Record<string, unknown> {
  const { api_key: key, signing, ...rest } = config.sink;
  return { ...rest, url: redactUrl(config.sink.url), ...(key ? { api_key: '***' } : {}), ...(signing ? { signing: { secret: '***' } } : {}) };
}
