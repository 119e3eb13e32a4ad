import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link MqttBridgeError}. */
export type MqttBridgeErrorCode =
  /** The section is invalid (normally caught by the mapping loader first). */
  | 'CONFIG'
  /** A TLS certificate or key file could not be read. */
  | 'TLS_FILE'
  /** The broker sent a packet larger than `max_packet_size` that is no message (a PUBLISH is acknowledged unread): the connection was dropped before it was read. */
  | 'PACKET_TOO_LARGE';

/** The error class of `@fieldbridge/bridge-mqtt`: a string `code`, a message saying what to do, and a `cause`. */
export class MqttBridgeError extends BridgeError<MqttBridgeErrorCode> {
  override readonly name = 'MqttBridgeError';
}

/** True when `err` is a {@link MqttBridgeError}, optionally with the given code. */
export function isMqttBridgeError(err: unknown, code?: MqttBridgeErrorCode): err is MqttBridgeError {
  return err instanceof MqttBridgeError && (code === undefined || err.code === code);
}

/** What a plain connection closed at once may mean: the port speaks TLS. */
export const MAYBE_TLS = 'if the port takes TLS (8883 by convention), write mqtts:// with mqtt.tls; else see the broker\'s log for why it closed it';
/** What a TLS handshake that failed without a TLS answer may mean: the port speaks plain MQTT. */
const NOT_TLS = 'the port may take plain MQTT (1883 by convention): then write mqtt:// and leave out mqtt.tls';

/**
 * A connection error explained in a few words (the caller names the broker): TLS verification
 * failures say which setting to look at, refused connections name the broker's reason.
 */
export function explainConnectError(err: Error, secure: boolean): string {
  if (isMqttBridgeError(err)) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  const message = err.message;
  const text = typeof code === 'string' ? code : '';
  if (secure) {
    const tls = tlsReason(message);
    if (/certificate required/i.test(tls)) return `the broker requires a client certificate (${tls}): set mqtt.tls.cert and mqtt.tls.key`;
    if (/alert (bad certificate|unknown ca|certificate unknown|certificate expired|certificate revoked|unsupported certificate)/i.test(tls)) {
      return `the broker did not accept the client certificate (${tls}); check mqtt.tls.cert and the broker's CA for clients`;
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(text) || /certificate|altnames/i.test(tls)) {
      return `TLS: the broker's certificate was not accepted (${tls}); set mqtt.tls.ca to the CA that signed it, or mqtt.tls.servername to the name it carries`;
    }
    if (/alert|handshake|socket disconnected|wrong version number/i.test(tls) || text === 'EPROTO' || text === 'ECONNRESET') {
      return `the TLS connection failed (${tls}): ${NOT_TLS}, or the broker requires a client certificate: set mqtt.tls.cert and mqtt.tls.key`;
    }
  }
  if (text === 'ECONNREFUSED') return 'connection refused (is the broker running and listening there?)';
  if (text === 'ECONNRESET') return `the connection was reset (${MAYBE_TLS})`;
  if (text === 'ENOTFOUND' || text === 'EAI_AGAIN') return `cannot resolve the host name (${message})`;
  if (typeof code === 'number' && /Connection refused/.test(message)) {
    const hint = code === 4 || code === 5 || code === 134 || code === 135 ? ' (check username and password, and the broker\'s ACL)' : code === 1 || code === 132 ? ' (try protocol_version 4)' : '';
    return `the broker refused the connection: ${message.replace(/^Connection refused: /, '')}${hint}`;
  }
  return message || text || 'the connection failed';
}

/** CONNACK refusals a retry does not change (3.1.1 codes 1..5 but 3, server unavailable; MQTT 5 0x84..0x87, 0x8A banned, 0x8C bad authentication method). */
const REFUSED_FOR_GOOD = new Set([1, 2, 4, 5, 0x84, 0x85, 0x86, 0x87, 0x8a, 0x8c]);

/**
 * True when `err` is a refusal someone must fix before a connection can work (credentials, an
 * ACL, a certificate either side refused), not one that waiting for the broker may end: a
 * `--once` stops at it, and a run reports it apart from a lost connection.
 */
export function isRefusalToFix(err: Error, secure: boolean): boolean {
  const code = (err as NodeJS.ErrnoException).code as unknown;
  if (typeof code === 'number') return /Connection refused/.test(err.message) && REFUSED_FOR_GOOD.has(code);
  if (!secure) return false;
  const tls = tlsReason(err.message);
  // A bare handshake failure or reset may be a broker restarting: only a certificate verdict counts.
  return (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) || /certificate|altnames|alert unknown ca/i.test(tls);
}

/** The reason part of an OpenSSL error line (`...:SSL routines:fn:tlsv13 alert certificate required:file:...`). */
function tlsReason(message: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return (openssl?.[1] ?? message).trim();
}

/** MQTT 5 DISCONNECT reason codes a broker sends, in the specification's words. */
const DISCONNECT_REASONS: Record<number, string> = {
  0x00: 'normal disconnection', 0x80: 'unspecified error', 0x81: 'malformed packet', 0x82: 'protocol error', 0x83: 'implementation specific error',
  0x87: 'not authorized', 0x89: 'server busy', 0x8b: 'server shutting down', 0x8d: 'keep alive timeout', 0x8e: 'session taken over',
  0x8f: 'topic filter invalid', 0x90: 'topic name invalid', 0x93: 'receive maximum exceeded', 0x94: 'topic alias invalid', 0x95: 'packet too large',
  0x96: 'message rate too high', 0x97: 'quota exceeded', 0x98: 'administrative action', 0x99: 'payload format invalid', 0x9a: 'retain not supported',
  0x9b: 'QoS not supported', 0x9c: 'use another server', 0x9d: 'server moved', 0x9e: 'shared subscriptions not supported', 0x9f: 'connection rate exceeded',
  0xa0: 'maximum connect time', 0xa1: 'subscription identifiers not supported', 0xa2: 'wildcard subscriptions not supported',
};

/**
 * An MQTT 5 DISCONNECT from the broker in a few words: `the broker disconnected it: session taken
 * over (reason code 0x8e)`, with the broker's reason string when it gave one (`reasonString`, text
 * the peer sent: the caller bounds it).
 */
export function explainDisconnect(reasonCode: number, reasonString?: string): string {
  const name = DISCONNECT_REASONS[reasonCode] ?? 'unknown reason';
  const said = reasonString ? `, "${reasonString}"` : '';
  return `the broker disconnected it: ${name} (reason code 0x${reasonCode.toString(16).padStart(2, '0')}${said})`;
}
