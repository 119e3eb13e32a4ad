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
    if (/alert|handshake|socket disconnected/i.test(tls) || text === 'EPROTO' || text === 'ECONNRESET') {
      return `the TLS connection failed (${tls}); if the broker requires a client certificate, set mqtt.tls.cert and mqtt.tls.key`;
    }
  }
  if (text === 'ECONNREFUSED') return 'connection refused (is the broker running and listening there?)';
  if (text === 'ECONNRESET') return 'the connection was reset';
  if (text === 'ENOTFOUND' || text === 'EAI_AGAIN') return `cannot resolve the host name (${message})`;
  if (typeof code === 'number' && /Connection refused/.test(message)) {
    const hint = code === 4 || code === 5 || code === 134 || code === 135 ? ' (check username and password, and the broker\'s ACL)' : code === 1 || code === 132 ? ' (try protocol_version 4)' : '';
    return `the broker refused the connection: ${message.replace(/^Connection refused: /, '')}${hint}`;
  }
  return message || text || 'the connection failed';
}

/** The reason part of an OpenSSL error line (`...:SSL routines:fn:tlsv13 alert certificate required:file:...`). */
function tlsReason(message: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return (openssl?.[1] ?? message).trim();
}
