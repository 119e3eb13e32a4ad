import { FieldbridgeError } from '../errors.js';
import type { DeviceControl } from '../transport/ws-protocol.js';
import type { StreamFilter } from './stream-filter.js';

/** Applies a `configure` request; resolves with what to answer the server. */
export type ConfigureHandler = (config: unknown) => Promise<unknown>;

/** The sink's side of dashboard control: its {@link DeviceControl} plus the configure hook. */
export interface SinkControl extends DeviceControl {
  /** Sets (or with undefined, removes) who applies `configure` requests: the running bridge. */
  onConfigure(handler: ConfigureHandler | undefined): void;
}

/** Options of {@link createSinkControl}. */
export interface SinkControlOptions {
  stream: StreamFilter;
  session(): string | undefined;
  setSession(sessionId: string | undefined): void;
}

/**
 * The sink's {@link DeviceControl}: streams go to the write path's filter, sessions to the
 * stamping stage, and `configure` to whatever handler the runtime registered (the running
 * bridge). Without one, `configure` is refused with `CONFIGURE_UNSUPPORTED`.
 */
export function createSinkControl(o: SinkControlOptions): SinkControl {
  let configureHandler: ConfigureHandler | undefined;
  return {
    setStream: (request) => o.stream.set(request),
    setSession: (sessionId) => o.setSession(sessionId),
    session: () => o.session(),
    async configure(config) {
      if (!configureHandler) {
        throw new FieldbridgeError('CONFIGURE_UNSUPPORTED', 'no running bridge accepts configure requests here');
      }
      return configureHandler(config);
    },
    onConfigure(handler) {
      configureHandler = handler;
    },
  };
}
