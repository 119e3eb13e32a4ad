/** Tag map attached to a point: at most 16 entries, string keys and values of at most 256 chars. */
export type Tags = Record<string, string>;

/** `metric` for numeric series, `event` for everything else. */
export type PointClass = 'metric' | 'event';

/** Values a point may carry. Metric values are finite numbers; events carry anything JSON. */
export type PointValue = number | string | boolean | object | unknown[];

/**
 * One named reading, as the Plexus ingest API accepts it.
 *
 * `timestamp` is milliseconds since the Unix epoch (fractions allowed). When omitted the sink
 * stamps the point from its corrected monotonic clock at `write()` time.
 */
export interface Point {
  metric: string;
  value: PointValue;
  timestamp?: number;
  source_id?: string;
  tags?: Tags;
  session_id?: string;
  class?: PointClass;
}

/** Limits enforced by the real gateway; the sink checks them before sending. */
export const POINT_LIMITS = {
  /** Longest metric name, in characters. */
  metricMaxChars: 256,
  /** Longest source id, in characters. */
  sourceIdMaxChars: 256,
  /** Most tag entries on one point. */
  maxTags: 16,
  /** Longest tag key or value, in characters. */
  tagMaxChars: 256,
  /** Largest event value, in bytes of its JSON encoding. */
  eventValueMaxBytes: 64 * 1024,
  /** Timestamps below this are read as seconds by the gateway, so the sink refuses them. */
  minTimestampMs: 1e12,
} as const;

/** Pattern a `source_id` must match. */
export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** Limits of one HTTP ingest request. */
export const REQUEST_LIMITS = {
  /** Most points in one request. */
  maxPoints: 10_000,
  /** Largest body, compressed or decompressed, in bytes. */
  maxBodyBytes: 5 * 1024 * 1024,
  /** Bodies larger than this are gzip-compressed. */
  gzipThresholdBytes: 1024,
  /** Largest WebSocket message, in bytes. */
  maxWsMessageBytes: 1024 * 1024,
} as const;
