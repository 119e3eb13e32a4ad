/**
 * The contract between the WebSocket transport, which receives a dashboard's control messages,
 * and the one owner that acts on them (`createDashboardControl`), which the sink's write path and
 * the running bridge read.
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
