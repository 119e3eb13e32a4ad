/**
 * The Plexus WebSocket device protocol (DESIGN section 3), as fieldbridge speaks it, and the
 * contract between the WebSocket transport and whoever acts on a dashboard's control messages
 * (the sink, and through it the running bridge).
 */

/** `start_stream`: forward only these metrics, at most one point per series every `intervalMs`. */
export interface StreamRequest {
  /** Metric names to forward; `*` matches any run of characters. Empty or undefined: all. */
  metrics?: string[];
  /** Least time between two forwarded points of one series (metric and tags), in ms. Undefined or 0: no throttle. */
  intervalMs?: number;
}

/**
 * What the WebSocket transport asks of the process it runs in when a dashboard sends control
 * messages. `createSink` implements it; a transport created on its own without one answers
 * session and configure requests with an `error` frame.
 */
export interface DeviceControl {
  /** `start_stream` (a request) or `stop_stream` (undefined: forward everything again). */
  setStream(request: StreamRequest | undefined): void;
  /** `start_session` (an id) or `stop_session` (undefined): points are tagged with the session. */
  setSession(sessionId: string | undefined): void;
  /** The session points are currently tagged with. */
  session(): string | undefined;
  /**
   * `configure`: hands the config to the running bridge; resolves with what to answer, rejects
   * (e.g. `CONFIGURE_UNSUPPORTED`) with a message sent back to the server.
   */
  configure(config: unknown): Promise<unknown>;
}

/** Extensions of the protocol a server may announce in `authenticated.extensions` (gateway-dev does). */
export type WsExtension = 'ack' | 'time_sync';

/** A frame the server sends, after parsing; unknown types keep their fields. */
export type ServerFrame =
  | { type: 'authenticated'; source_id?: unknown; server_time_ms?: unknown; extensions?: unknown }
  | { type: 'ack'; trace_id?: unknown }
  | { type: 'time_sync'; t0?: unknown; t1?: unknown; t2?: unknown }
  | { type: 'error'; code?: unknown; message?: unknown; detail?: unknown; trace_id?: unknown }
  | { type: string; [field: string]: unknown };

/** Control message types a dashboard sends, which the transport acts on. */
export const CONTROL_TYPES = ['ping', 'start_stream', 'stop_stream', 'start_session', 'stop_session', 'configure', 'error'] as const;

/** One of {@link CONTROL_TYPES}. */
export type ControlType = (typeof CONTROL_TYPES)[number];

/** Reads one text frame; undefined when it is not a JSON object with a string `type`. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the caller counts and logs it as a malformed frame.
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? (value as ServerFrame) : undefined;
}
