import type { EndpointDescription, OPCUAClient } from 'node-opcua';
import { settleWithin, withDeadline } from './_deadline.js';
import { describeCertificate, type CertificateInfo } from './certificate-info.js';
import { classifyConnectError, isClosedByPeer, notOpcuaError, type ConnectErrorContext } from './connect-errors.js';
import { parseEndpoint } from './endpoint.js';
import { createConnection, type OpcuaConnection } from './connection.js';
import { OpcuaBridgeError, messageOf } from './errors.js';
import { buildIdentity, describeIdentity, type OpcuaAuth } from './identity.js';
import { loadOpcua, restoreOpensslConf, type OpcuaModule } from './load.js';
import type { OpcuaLogger } from './log-redirect.js';
import { probePeer } from './_peer-probe.js';
import { readNamespaces } from './namespaces.js';
import { readStartTime } from './_start-time.js';
import { openMemoryPki } from './memory-pki.js';
import { openPki, type Pki } from './pki.js';
import { createRunWarnings, type RunWarnings } from './run-warnings.js';
import { chooseEndpoint, DEPRECATED_POLICIES, policyUri, type SecurityModeName, type SecurityPolicyName } from './security.js';
import type { TrustMode } from './trust.js';

/** Options of {@link connectOpcua}. */
export interface OpcuaClientOptions {
  /** `opc.tcp://host:port[/path]`. */
  endpointUrl: string;
  /** Default `{ mode: 'None' }`. With Sign or SignAndEncrypt and no policy, the strongest current policy the server offers. */
  security?: { mode: SecurityModeName; policy?: SecurityPolicyName };
  /** Default anonymous. */
  auth?: OpcuaAuth;
  /**
   * The PKI folder and the server trust policy (see {@link openPki}). Without `dir`, with
   * security `None` only, the client's certificate is made in memory and no folder is used
   * (see {@link openMemoryPki}); a secured connection without one is refused (`PKI_FAILED`).
   */
  pki: { dir?: string | undefined; trust: TrustMode; applicationUri?: string; applicationName?: string };
  logger: OpcuaLogger;
  /** Time for each step of a connect (endpoints, channel, session), in ms. Default 10000. */
  connectTimeoutMs?: number;
  /**
   * Time a request may take, in ms (node-opcua never waits less than 5000); also bounds the
   * keep-alive read, so a frozen server (socket open, no answers) is noticed within about
   * `keepAliveIntervalMs / 2 + max(requestTimeoutMs, 5000)`: 12.5 s with the defaults. Default 10000.
   */
  requestTimeoutMs?: number;
  /** How often the session is checked when the server has been silent, in ms. Default 5000. */
  keepAliveIntervalMs?: number;
  /** Session timeout asked of the server, in ms. Default 60000. */
  sessionTimeoutMs?: number;
  /** Delays between reconnect attempts after a loss: first and largest, in ms. Defaults 1000 and 30000. */
  reconnectDelayMs?: { initial?: number; max?: number };
  /** Time `close()` may take, in ms. Default 3000. */
  closeTimeoutMs?: number;
  /** Aborts the connect: it rejects with `STOPPED` at once and tears down what it opened. */
  signal?: AbortSignal;
  /** Epoch-ms clock for outage accounting. Default `Date.now`. */
  now?: () => number;
  /**
   * The warnings of the caller's run, so that one holding for every attempt (`trust: always`, a
   * deprecated policy) is logged once per run rather than at each attempt. Default: a new one
   * per call, so each call warns.
   */
  warnings?: RunWarnings;
}

/** The defaults of {@link OpcuaClientOptions}. */
export const CLIENT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveIntervalMs: 5_000,
  sessionTimeoutMs: 60_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 30_000,
  closeTimeoutMs: 3_000,
} as const;

const MODE_NUMBERS: Record<SecurityModeName, number> = { None: 1, Sign: 2, SignAndEncrypt: 3 };

/**
 * Makes one attempt to connect to `options.endpointUrl`: loads node-opcua, opens the PKI
 * folder, reads the server's endpoints and picks the one matching the security and identity
 * asked for, opens the secure channel (checking the server's certificate with the trust
 * policy) and the session, and reads the NamespaceArray. Every step is bounded by
 * `connectTimeoutMs`, so a dead or frozen server fails the attempt instead of hanging it; the
 * caller decides when to try again (`err.retryable`). Once connected, node-opcua re-establishes
 * the channel, the session and the subscriptions after a loss, and the connection reports it; a
 * reconnect attempt the server refuses ends the connection (`reconnect_failed`, then `closed`).
 * Rejects with an {@link OpcuaBridgeError} that says what to do.
 */
export async function connectOpcua(options: OpcuaClientOptions): Promise<OpcuaConnection> {
  const { logger, signal, endpointUrl } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs;
  if (signal?.aborted) throw new OpcuaBridgeError('STOPPED', 'connect abandoned: the client was stopped', { retryable: false });
  const security = options.security ?? { mode: 'None' };
  const opcua = await loadOpcua(logger);
  const warnings = options.warnings ?? createRunWarnings();
  const pki = await openClientPki(opcua, options.pki, security.mode, logger, warnings);
  const auth = options.auth ?? { kind: 'anonymous' };
  const ctx: ConnectErrorContext = {
    endpointUrl,
    step: 'discover',
    clientCertificateFile: pki.certificateFile,
    clientThumbprint: pki.certificate.thumbprint,
    identity: describeIdentity(auth),
    connectTimeoutMs,
  };
  let client: OPCUAClient | undefined;
  try {
    const endpoints = await discoverEndpoints(opcua, pki, endpointUrl, connectTimeoutMs, signal);
    const choice = chooseEndpoint(endpoints, { mode: security.mode, ...(security.policy ? { policy: security.policy } : {}), identity: auth.kind });
    if (!choice.ok) throw new OpcuaBridgeError(/login/.test(choice.message) ? 'AUTH_FAILED' : 'SECURITY_UNSUPPORTED', choice.message, { retryable: false });
    warnAboutPolicy(choice.policy, logger, warnings);
    const serverCertificate = certificateOf(choice.endpoint);
    ctx.step = 'connect';
    client = opcua.OPCUAClient.create({
      applicationName: pki.applicationName,
      applicationUri: pki.applicationUri,
      ...pki.clientOptions,
      securityMode: MODE_NUMBERS[security.mode],
      securityPolicy: policyUri(choice.policy),
      endpointMustExist: false,
      keepSessionAlive: true,
      keepAliveInterval: options.keepAliveIntervalMs ?? CLIENT_DEFAULTS.keepAliveIntervalMs,
      defaultTransactionTimeout: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      requestedSessionTimeout: options.sessionTimeoutMs ?? CLIENT_DEFAULTS.sessionTimeoutMs,
      // maxRetry > 0 turns node-opcua's reconnection on (its reconnect loop itself never gives up);
      // the first connect is bounded by the deadlines here instead. These delays pace its attempts
      // only while the server cannot be reached: one that fails at the server ends the connection
      // (see createConnection), and the caller's own backoff takes over.
      connectionStrategy: {
        maxRetry: 1,
        initialDelay: options.reconnectDelayMs?.initial ?? CLIENT_DEFAULTS.reconnectInitialMs,
        maxDelay: options.reconnectDelayMs?.max ?? CLIENT_DEFAULTS.reconnectMaxMs,
      },
    });
    await withDeadline(client.connect(endpointUrl), connectTimeoutMs, `connecting to ${endpointUrl}`, signal);
    ctx.step = 'session';
    const session = await withDeadline(client.createSession(buildIdentity(auth) as never), connectTimeoutMs, 'creating the session', signal);
    const namespaces = await withDeadline(readNamespaces(session), connectTimeoutMs, 'reading the NamespaceArray', signal);
    const startTime = await readStartTime(session, connectTimeoutMs);
    restoreOpensslConf();
    logger.info({ endpoint: endpointUrl, security: `${security.mode}/${choice.policy}`, identity: ctx.identity }, `connected to ${endpointUrl}`);
    return createConnection({
      opcua,
      client,
      session,
      pki,
      endpointUrl,
      security: { mode: security.mode, policy: choice.policy },
      ...(serverCertificate ? { serverCertificate } : {}),
      namespaces,
      ...(startTime === undefined ? {} : { startTime }),
      requestTimeoutMs: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      logger,
      closeTimeoutMs: options.closeTimeoutMs ?? CLIENT_DEFAULTS.closeTimeoutMs,
      now: options.now ?? Date.now,
      classify: (err) => classifyConnectError(err, { ...ctx, step: 'connect' }),
    });
  } catch (err) {
    const opened = client;
    if (opened) await settleWithin(() => opened.disconnect(), options.closeTimeoutMs ?? CLIENT_DEFAULTS.closeTimeoutMs);
    const refusal = pki.takeRefusal();
    await settleWithin(() => pki.dispose(), 1000);
    restoreOpensslConf();
    throw refusal ?? (ctx.step === 'discover' ? await notOpcuaPeer(err, endpointUrl, connectTimeoutMs, signal) : undefined) ?? classifyConnectError(err, ctx);
  }
}

/**
 * When the first contact ended with the peer closing or resetting the connection, asks it again
 * with a Hello of the bridge's own, to tell a service that is not OPC UA (an HTTP server, a
 * Modbus device) from a server that refused: node-opcua's error looks the same for both.
 */
async function notOpcuaPeer(err: unknown, endpointUrl: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<OpcuaBridgeError | undefined> {
  if (err instanceof OpcuaBridgeError || !isClosedByPeer(messageOf(err))) return undefined;
  const parsed = parseEndpoint(endpointUrl);
  if (!parsed.ok) return undefined;
  const answer = await probePeer(parsed.endpoint.host, parsed.endpoint.port, endpointUrl, timeoutMs, signal);
  if (answer.kind === 'other') return notOpcuaError(endpointUrl, answer.sent, err);
  if (answer.kind === 'closed') return notOpcuaError(endpointUrl, undefined, err);
  return undefined;
}

/** The PKI folder `pki.dir`, or without one (security None only) a certificate in memory. */
async function openClientPki(opcua: OpcuaModule, pki: OpcuaClientOptions['pki'], mode: SecurityModeName, logger: OpcuaLogger, warnings: RunWarnings): Promise<Pki> {
  const { dir, ...rest } = pki;
  if (dir !== undefined) return openPki(opcua, { ...rest, dir, logger, warnings });
  if (mode !== 'None') {
    throw new OpcuaBridgeError('PKI_FAILED', `security ${mode} needs a PKI folder for the client certificate the server is to trust: give pki.dir`, { retryable: false });
  }
  return openMemoryPki(opcua, { ...rest, logger });
}

/** Reads the server's endpoints over an unsecured channel of its own (the discovery every client does first). */
async function discoverEndpoints(opcua: OpcuaModule, pki: Pki, endpointUrl: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<EndpointDescription[]> {
  const client = opcua.OPCUAClient.create({
    applicationName: pki.applicationName,
    applicationUri: pki.applicationUri,
    ...pki.clientOptions,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 100 },
  });
  try {
    await withDeadline(client.connect(endpointUrl), timeoutMs, `connecting to ${endpointUrl}`, signal);
    return await withDeadline(client.getEndpoints(), timeoutMs, 'reading the endpoints', signal);
  } finally {
    await settleWithin(() => client.disconnect(), 2000);
  }
}

function certificateOf(endpoint: EndpointDescription): CertificateInfo | undefined {
  const bytes = endpoint.serverCertificate;
  if (!bytes || bytes.length === 0) return undefined;
  try {
    return describeCertificate(bytes);
  } catch {
    // The trust check reports an unreadable certificate when it matters (secured endpoints).
    return undefined;
  }
}

function warnAboutPolicy(policy: SecurityPolicyName | 'None', logger: OpcuaLogger, warnings: RunWarnings): void {
  if (!DEPRECATED_POLICIES.includes(policy as SecurityPolicyName)) return;
  const extra =
    policy === 'Basic128Rsa15'
      ? '; Node.js 20 refuses the RSA PKCS#1 v1.5 decryption it needs unless started with --security-revert=CVE-2023-46809'
      : '';
  warnings.warn(logger, 'deprecated_policy', policy, { policy }, `security policy ${policy} is deprecated (SHA-1, weak keys): use Basic256Sha256 or newer when the server allows${extra}`);
}
