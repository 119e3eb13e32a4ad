import type { ClientSession, OPCUAClient } from 'node-opcua';
import { settleWithin } from './_deadline.js';
import type { CertificateInfo } from './certificate-info.js';
import { OpcuaBridgeError } from './errors.js';
import type { OpcuaModule } from './load.js';
import type { OpcuaLogger } from './log-redirect.js';
import { readStartTime, renewalOf, type SessionRenewal } from './_start-time.js';
import { readNamespaces } from './namespaces.js';
import type { Pki } from './pki.js';
import type { SecurityModeName, SecurityPolicyName } from './security.js';

/** Where a connection stands. */
export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

/** What a connection reports as it loses and regains the server. */
export type ConnectionEvent =
  /** The server stopped answering (socket closed, keep-alive failed): reconnection starts. */
  | { type: 'lost'; reason: string; atMs: number }
  /** A reconnect attempt could not reach the server (refused, unreachable); node-opcua tries again in `delayMs`. */
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  /**
   * A reconnect attempt reached the server and failed there (a refused certificate, a channel the
   * server closed at once). node-opcua would try again at once, without waiting, for as long as it
   * fails: the connection ends instead (`closed` follows), so that its owner connects again with
   * a backoff of its own (the bridge does, with `reconnect`).
   */
  | { type: 'reconnect_failed'; error: OpcuaBridgeError }
  /**
   * The server's NamespaceArray changed (it restarted with namespaces in another order).
   * Sent before node-opcua re-creates the monitored items, so they can be moved to the new indexes.
   */
  | { type: 'namespaces_changed'; before: readonly string[]; after: readonly string[] }
  /**
   * The session is back; `gapMs` is how long no data could arrive. With a new session, `renewal`
   * says why, from the server's StartTime (read once per session): it restarted, or it dropped
   * the session; absent when the server did not give its StartTime, then or before.
   */
  | { type: 'restored'; gapMs: number; attempts: number; sessionRecreated: boolean; namespacesChanged: boolean; renewal?: SessionRenewal }
  | { type: 'closed' };

/** Counters of a connection's outages. */
export interface ConnectionStats {
  /** Outages so far (each `lost` that was followed by `restored`). */
  reconnects: number;
  /** Sum of all outages, in ms. */
  gapMsTotal: number;
  /** The latest outage, in ms. */
  lastGapMs?: number;
}

/** An open session on a server, kept alive and re-established by node-opcua after a loss. */
export interface OpcuaConnection {
  readonly endpointUrl: string;
  readonly security: { mode: SecurityModeName; policy: SecurityPolicyName | 'None' };
  /** The server's certificate, for secured endpoints. */
  readonly serverCertificate?: CertificateInfo;
  readonly pki: Pki;
  /** The loaded node-opcua module (for the subscription and browse layers). */
  readonly opcua: OpcuaModule;
  /** node-opcua's session: the same object across reconnects. */
  readonly session: ClientSession;
  readonly logger: OpcuaLogger;
  /** The server's NamespaceArray as last read (at connect, and after a session was re-created). */
  namespaces(): readonly string[];
  state(): ConnectionState;
  stats(): ConnectionStats;
  /** Listens to {@link ConnectionEvent}s; returns the function that stops listening. */
  onEvent(listener: (event: ConnectionEvent) => void): () => void;
  /** Closes the session and the channel within `closeTimeoutMs`, even mid-reconnect. Idempotent. */
  close(): Promise<void>;
}

/** What {@link createConnection} wraps. */
export interface ConnectionParts {
  opcua: OpcuaModule;
  client: OPCUAClient;
  session: ClientSession;
  pki: Pki;
  endpointUrl: string;
  security: OpcuaConnection['security'];
  serverCertificate?: CertificateInfo;
  namespaces: readonly string[];
  /** The server's StartTime (ms since the epoch) read at connect; undefined when it did not give one. */
  startTime?: number;
  /** Time for a read after a reconnect (the server's StartTime), in ms. */
  requestTimeoutMs: number;
  logger: OpcuaLogger;
  /** Time for the whole of `close()`, in ms. */
  closeTimeoutMs: number;
  /** Epoch-ms clock for the outage accounting. */
  now: () => number;
  /** What a failed reconnect attempt means and what to do (a refusal of the trust policy is taken from the PKI first). */
  classify: (err: unknown) => OpcuaBridgeError;
}

/** node-opcua's private hook, called with the new session before it re-creates subscriptions. */
interface RecreateHook {
  beforeSubscriptionRecreate?: (session: ClientSession) => Promise<Error | undefined>;
}

/**
 * Wraps a connected client and session: tracks the state through node-opcua's reconnection,
 * measures each outage, re-reads the NamespaceArray when the session had to be re-created
 * (through node-opcua's `beforeSubscriptionRecreate` hook, so monitored items can be moved to
 * new namespace indexes before node-opcua re-creates them), and reports it all as events.
 * node-opcua's reconnection waits between attempts only while the server cannot be reached; an
 * attempt that fails at the server would be followed by the next at once, so the connection
 * closes after it (`reconnect_failed`, then `closed`) and leaves the retry to its owner.
 */
export function createConnection(parts: ConnectionParts): OpcuaConnection {
  const { client, session, pki, logger, now } = parts;
  const listeners = new Set<(event: ConnectionEvent) => void>();
  let namespaces = parts.namespaces;
  let state: ConnectionState = 'connected';
  let lostAt: number | undefined;
  let attempts = 0;
  let recreated = false;
  let changed = false;
  let startTime = parts.startTime;
  let renewal: SessionRenewal | undefined;
  // The lost session's timeout, as the server revised it: node-opcua's session object takes the new one's.
  let sessionTimeoutMs = session.timeout;
  const stats: ConnectionStats = { reconnects: 0, gapMsTotal: 0 };
  const emit = (event: ConnectionEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (err) {
        logger.error({ err, event: event.type }, 'a connection event listener threw');
      }
    }
  };

  const onLost = (): void => {
    if (state !== 'connected') return;
    state = 'reconnecting';
    lostAt = now();
    attempts = 0;
    recreated = false;
    changed = false;
    renewal = undefined;
    sessionTimeoutMs = session.timeout;
    // Debug only: the events carry it, and their listener (the bridge's outage) logs it once per episode.
    logger.debug({ endpoint: parts.endpointUrl }, `lost the connection to ${parts.endpointUrl}; reconnecting`);
    emit({ type: 'lost', reason: 'connection lost', atMs: lostAt });
  };
  const onBackoff = (attempt: number, delayMs: number): void => {
    if (state !== 'reconnecting') return;
    attempts = attempt + 1;
    logger.debug({ attempt: attempts, delayMs }, `reconnect attempt ${attempts} to ${parts.endpointUrl} in ${delayMs} ms`);
    emit({ type: 'reconnecting', attempt: attempts, delayMs });
  };
  const onAttemptFailed = (err: unknown): void => {
    if (state !== 'reconnecting') return;
    const error = pki.takeRefusal() ?? parts.classify(err);
    logger.debug({ code: error.code }, `reconnect attempt to ${parts.endpointUrl} failed at the server: ${error.message}`);
    emit({ type: 'reconnect_failed', error });
    // Now, before node-opcua's next attempt (queued with setImmediate) starts: closing cancels it.
    void close();
  };
  const onReestablished = (): void => {
    if (state !== 'reconnecting') return;
    state = 'connected';
    const gapMs = Math.max(0, now() - (lostAt ?? now()));
    stats.reconnects += 1;
    stats.gapMsTotal += gapMs;
    stats.lastGapMs = gapMs;
    logger.debug({ gapMs, attempts, sessionRecreated: recreated }, `reconnected to ${parts.endpointUrl} after ${gapMs} ms`);
    emit({ type: 'restored', gapMs, attempts, sessionRecreated: recreated, namespacesChanged: changed, ...(renewal ? { renewal } : {}) });
  };
  (client as unknown as RecreateHook).beforeSubscriptionRecreate = async (newSession) => {
    recreated = true;
    const after = await readStartTime(newSession, parts.requestTimeoutMs);
    renewal = renewalOf(startTime, after, sessionTimeoutMs);
    // One not given keeps the last known: a later session is still told from it.
    startTime = after ?? startTime;
    try {
      const after = await readNamespaces(newSession);
      if (after.join('\n') !== namespaces.join('\n')) {
        const before = namespaces;
        namespaces = after;
        changed = true;
        logger.warn({ before, after }, 'the server came back with its namespaces in another order; moving the monitored items to the new indexes');
        emit({ type: 'namespaces_changed', before, after });
      }
    } catch (err) {
      // Without the new array the items keep their indexes: the check after the restore reports any that fail.
      logger.warn({ err }, 'cannot read the NamespaceArray after reconnecting');
    }
    return undefined;
  };
  client.on('connection_lost', onLost);
  client.on('backoff', onBackoff);
  client.on('reconnection_attempt_has_failed', onAttemptFailed);
  client.on('connection_reestablished', onReestablished);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state = 'closed';
      client.removeListener('connection_lost', onLost);
      client.removeListener('backoff', onBackoff);
      client.removeListener('reconnection_attempt_has_failed', onAttemptFailed);
      client.removeListener('connection_reestablished', onReestablished);
      // disconnect() closes the session too, and cancels a reconnection in progress.
      await settleWithin(() => client.disconnect(), parts.closeTimeoutMs);
      await settleWithin(() => pki.dispose(), 1000);
      emit({ type: 'closed' });
      listeners.clear();
    })();
    return closing;
  };
  return {
    endpointUrl: parts.endpointUrl,
    security: parts.security,
    ...(parts.serverCertificate ? { serverCertificate: parts.serverCertificate } : {}),
    pki,
    opcua: parts.opcua,
    session,
    logger,
    namespaces: () => namespaces,
    state: () => state,
    stats: () => ({ ...stats }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
  };
}
