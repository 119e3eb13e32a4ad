import { createReconnector, type Reconnector } from '@fieldbridge/core/bridge';
import { settleWithin } from './_deadline.js';
import { connectOpcua, type OpcuaClientOptions } from './client.js';
import type { ConnectionEvent, OpcuaConnection } from './connection.js';
import { isOpcuaBridgeError, messageOf, OpcuaBridgeError } from './errors.js';
import { subscribe } from './subscription.js';
import type { OpcuaSubscription, SubscriptionOptions } from './subscription-types.js';

/** What the loop tells its owner. */
export interface SessionHooks {
  /** The session and the subscription are up (after a first connect or a later attempt). */
  onUp(connection: OpcuaConnection, subscription: OpcuaSubscription): void;
  /**
   * An attempt failed (a first connect, or one after a loss that node-opcua could not repair); the
   * next one is in `retryInMs`. `error.retryable` false: someone must change something.
   */
  onAttemptFailed(error: OpcuaBridgeError, retryInMs: number): void;
  /** What the open connection reports while node-opcua repairs it (lost, reconnecting, restored...). */
  onConnectionEvent(event: ConnectionEvent): void;
}

/** Options of {@link createSessionLoop}. */
export interface SessionLoopOptions {
  /** How to connect, without `signal` (the loop's own). */
  connect: Omit<OpcuaClientOptions, 'signal'>;
  /** What to subscribe to, without the handlers of data and problems. */
  subscription: SubscriptionOptions;
  reconnect: { initialMs: number; maxMs: number; stableMs: number };
  hooks: SessionHooks;
  random?: () => number;
}

/** The connection and subscription of a bridge, retried until they are up. */
export interface SessionLoop {
  /** Starts the first attempt (in the background: a server that is down is retried, never fatal). */
  start(): void;
  /** The subscription once up. */
  subscription(): OpcuaSubscription | undefined;
  /** The connection while one is open (also mid-attempt). */
  connection(): OpcuaConnection | undefined;
  /** Stops attempting, closes the subscription and the connection. Prompt even mid-connect; idempotent. */
  stop(): Promise<void>;
}

/** Time a subscription or connection may take to close at stop, in ms. */
const CLOSE_MS = 3000;

/**
 * First connects with the kit's reconnector: an attempt that fails waits its backoff and tries
 * again, whether retryable (the server is down) or not (a refused certificate, a wrong password:
 * the PKI folders and the server's users are read again at every attempt, so a fix takes effect
 * without a restart). Once connected and subscribed, node-opcua re-establishes the session and
 * its items after a loss by itself, and the loop relays what the connection reports; when one of
 * its attempts fails at the server (a server that now shows another certificate), the connection
 * ends and the loop takes over: it closes the subscription and connects anew under the same
 * backoff, with a new session and subscription.
 */
export function createSessionLoop(o: SessionLoopOptions): SessionLoop {
  const abort = new AbortController();
  const reconnector: Reconnector = createReconnector({ initialMs: o.reconnect.initialMs, maxMs: o.reconnect.maxMs, stableMs: o.reconnect.stableMs, ...(o.random ? { random: o.random } : {}) });
  let connection: OpcuaConnection | undefined;
  let subscription: OpcuaSubscription | undefined;
  let attempt: Promise<void> | undefined;
  let retiring: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  // node-opcua could not repair `opened`, which has closed itself: the next attempt is ours.
  const takeOver = (opened: OpcuaConnection, error: OpcuaBridgeError): void => {
    if (abort.signal.aborted || connection !== opened) return;
    const sub = subscription;
    subscription = undefined;
    connection = undefined;
    const delay = reconnector.schedule(() => {
      attempt = run();
    });
    o.hooks.onAttemptFailed(error, delay);
    const previous = retiring;
    retiring = (async () => {
      await previous;
      if (sub) await settleWithin(() => sub.close(), CLOSE_MS);
      await settleWithin(() => opened.close(), CLOSE_MS);
    })();
  };

  const run = async (): Promise<void> => {
    let opened: OpcuaConnection | undefined;
    try {
      opened = await connectOpcua({ ...o.connect, signal: abort.signal });
      connection = opened;
      if (abort.signal.aborted) throw new OpcuaBridgeError('STOPPED', 'stopped while connecting', { retryable: false });
      const sub = await subscribe(opened, o.subscription);
      if (abort.signal.aborted) {
        await settleWithin(() => sub.close(), CLOSE_MS);
        throw new OpcuaBridgeError('STOPPED', 'stopped while subscribing', { retryable: false });
      }
      subscription = sub;
      reconnector.connected();
      const up = opened;
      up.onEvent((event) => (event.type === 'reconnect_failed' ? takeOver(up, event.error) : o.hooks.onConnectionEvent(event)));
      o.hooks.onUp(opened, sub);
    } catch (err) {
      const failed = opened;
      if (failed) await settleWithin(() => failed.close(), CLOSE_MS);
      connection = undefined;
      if (abort.signal.aborted) return;
      const error = isOpcuaBridgeError(err) ? err : new OpcuaBridgeError('REQUEST_FAILED', messageOf(err), { cause: err });
      const delay = reconnector.schedule(() => {
        attempt = run();
      });
      o.hooks.onAttemptFailed(error, delay);
    }
  };

  return {
    start() {
      if (attempt || abort.signal.aborted) return;
      attempt = run();
    },
    subscription: () => subscription,
    connection: () => connection,
    stop() {
      stopping ??= (async () => {
        abort.abort();
        reconnector.cancel();
        // Closing the connection first makes a subscribe in flight fail at once.
        const open = connection;
        const sub = subscription;
        subscription = undefined;
        connection = undefined;
        if (sub) await settleWithin(() => sub.close(), CLOSE_MS);
        if (open) await settleWithin(() => open.close(), CLOSE_MS);
        await settleWithin(() => attempt ?? Promise.resolve(), CLOSE_MS);
        await settleWithin(() => retiring ?? Promise.resolve(), CLOSE_MS);
      })();
      return stopping;
    },
  };
}
