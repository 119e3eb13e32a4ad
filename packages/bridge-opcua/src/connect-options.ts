import { join } from 'node:path';
import { reconnectPolicy } from '@fieldbridge/core/bridge';
import type { OpcuaClientOptions } from './client.js';
import type { OpcuaConfig } from './config.js';
import { parseEndpoint } from './endpoint.js';
import { OpcuaBridgeError } from './errors.js';
import type { OpcuaAuth } from './identity.js';
import type { OpcuaLogger } from './log-redirect.js';

/** The PKI folder's name inside the spool's folder, and alone in the working directory when the spool is in memory. */
export const PKI_FOLDER = { inSpool: 'opcua-pki', alone: 'fieldbridge-opcua-pki' } as const;

/** The section's defaults that shape the connection, in ms. */
export const CONNECTION_DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveMs: 5_000,
  sessionTimeoutMs: 60_000,
  trust: 'tofu',
} as const;

/**
 * The PKI folder: `pki` when given, else `opcua-pki/` in the spool's folder (`stateDir`, so the
 * certificate lives with the data it signs for), else `./fieldbridge-opcua-pki`.
 */
export function pkiDir(section: Pick<OpcuaConfig, 'pki'>, stateDir: string | undefined): string {
  if (section.pki !== undefined) return section.pki;
  return stateDir === undefined ? PKI_FOLDER.alone : join(stateDir, PKI_FOLDER.inSpool);
}

/**
 * The PKI folder a connection of the section uses: `pki` when given, else none with security
 * `None` (a certificate made in memory: nothing checks it, so nothing is written), else
 * {@link pkiDir}'s default.
 */
export function usedPkiDir(section: Pick<OpcuaConfig, 'pki' | 'security'>, stateDir: string | undefined): string | undefined {
  if (section.pki === undefined && (section.security?.mode ?? 'None') === 'None') return undefined;
  return pkiDir(section, stateDir);
}

/** Who the session logs in as, from the `auth` key (validated by `checkOpcua`). */
export function authOf(section: Pick<OpcuaConfig, 'auth'>): OpcuaAuth {
  const auth = section.auth;
  if (auth?.username !== undefined) return { kind: 'username', username: auth.username, password: auth.password ?? '' };
  if (auth?.certificate !== undefined && auth.private_key !== undefined) return { kind: 'certificate', certificateFile: auth.certificate, privateKeyFile: auth.private_key };
  return { kind: 'anonymous' };
}

/**
 * The options of `connectOpcua` for the section: the endpoint, security, identity, PKI and trust,
 * timeouts, and node-opcua's reconnection delays from `reconnect` (the same backoff as the first
 * connect's). Throws `NODE_INVALID` for an endpoint `checkOpcua` would have refused.
 */
export function connectOptionsOf(section: OpcuaConfig, logger: OpcuaLogger, stateDir: string | undefined, now: () => number): Omit<OpcuaClientOptions, 'signal'> {
  const endpoint = parseEndpoint(section.endpoint);
  if (!endpoint.ok) throw new OpcuaBridgeError('NODE_INVALID', endpoint.message, { retryable: false });
  const reconnect = reconnectPolicy(section.reconnect);
  const security = section.security ?? { mode: 'None' as const };
  return {
    endpointUrl: endpoint.endpoint.url,
    security: { mode: security.mode, ...(security.policy === undefined ? {} : { policy: security.policy }) },
    auth: authOf(section),
    pki: { dir: usedPkiDir(section, stateDir), trust: section.trust ?? CONNECTION_DEFAULTS.trust, ...(section.application_uri === undefined ? {} : { applicationUri: section.application_uri }) },
    logger,
    connectTimeoutMs: section.connect_timeout_ms ?? CONNECTION_DEFAULTS.connectTimeoutMs,
    requestTimeoutMs: section.request_timeout_ms ?? CONNECTION_DEFAULTS.requestTimeoutMs,
    keepAliveIntervalMs: section.keep_alive_ms ?? CONNECTION_DEFAULTS.keepAliveMs,
    sessionTimeoutMs: section.session_timeout_ms ?? CONNECTION_DEFAULTS.sessionTimeoutMs,
    reconnectDelayMs: { initial: reconnect.initialMs, max: reconnect.maxMs },
    now,
  };
}
