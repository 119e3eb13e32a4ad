import type { ConnectionEvent, OpcuaConnection } from '../../src/connection.js';

/** Client options that notice a lost server and reconnect within a second: tests of restarts and cuts. */
export const FAST_RECONNECT = { reconnectDelayMs: { initial: 100, max: 400 }, keepAliveIntervalMs: 500, requestTimeoutMs: 1000, connectTimeoutMs: 3000 };

/** Resolves at the first event of `type` the connection reports from now on. */
export function nextEvent(connection: OpcuaConnection, type: ConnectionEvent['type']): Promise<ConnectionEvent> {
  return new Promise((resolve) => {
    const stop = connection.onEvent((event) => {
      if (event.type !== type) return;
      stop();
      resolve(event);
    });
  });
}
