import { FieldbridgeError } from '../errors.js';
import type { Point } from '../point/point.js';
import type { DeviceControl } from './device-control.js';
import { createStreamFilter, type StreamVerdict } from './stream-filter.js';

/** Applies a `configure` request; resolves with what to answer the server. */
export type ConfigureHandler = (config: unknown) => Promise<unknown>;

/**
 * The one owner of dashboard control (DESIGN section 3, step 4): the stream request in force,
 * the session points are tagged with, and who applies `configure`. The WebSocket transport acts
 * on it as a {@link DeviceControl}; the sink's write path asks it what to forward and which
 * session to stamp; the runtime connects the running bridge with `onConfigure`.
 */
export interface DashboardControl extends DeviceControl {
  /** What the stream request in force decides for one validated point. */
  admit(point: Point): StreamVerdict;
  /** Sets (or with undefined, removes) who applies `configure` requests: the running bridge. */
  onConfigure(handler: ConfigureHandler | undefined): void;
}

/** Options of {@link createDashboardControl}. */
export interface DashboardControlOptions {
  /** Monotonic ms, for stream throttling (a wall-clock step cannot unthrottle). */
  now: () => number;
  /** Session in force from the start (`--session`). */
  session?: string;
}

/**
 * Creates the {@link DashboardControl}. Without a `configure` handler, `configure` is refused
 * with `CONFIGURE_UNSUPPORTED`.
 */
export function createDashboardControl(o: DashboardControlOptions): DashboardControl {
  const stream = createStreamFilter(o.now);
  let session = o.session;
  let configureHandler: ConfigureHandler | undefined;
  return {
    setStream: (request) => stream.set(request),
    setSession(sessionId) {
      session = sessionId;
    },
    session: () => session,
    async configure(config) {
      if (!configureHandler) {
        throw new FieldbridgeError('CONFIGURE_UNSUPPORTED', 'no running bridge accepts configure requests here');
      }
      return configureHandler(config);
    },
    onConfigure(handler) {
      configureHandler = handler;
    },
    admit: (point) => stream.admit(point),
  };
}
