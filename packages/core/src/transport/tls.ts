import { readFileSync } from 'node:fs';
import { FieldbridgeError } from '../errors.js';

/** TLS settings of an `https://` or `wss://` sink. */
export interface TlsOptions {
  /** CA certificate(s) that signed the server's certificate (PEM). Default: the system CAs. */
  ca?: string | Buffer;
  /** Client certificate (PEM), for servers that require one. */
  cert?: string | Buffer;
  /** Private key of the client certificate (PEM). */
  key?: string | Buffer;
  /** Name the server's certificate must carry (and SNI). Default: the URL's host. */
  serverName?: string;
  /** Verify the server's certificate. Default true. */
  verify?: boolean;
}

/** `tls` as node's `tls.connect` (and https/wss agent) options; none when unset. */
export function nodeTlsOptions(tls: TlsOptions | undefined): Record<string, unknown> {
  if (!tls) return {};
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    rejectUnauthorized: tls.verify ?? true,
  };
}

/** Certificate errors of a server whose CA this machine does not trust (self-signed, a private CA). */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * What to do about a TLS error `code` of a connection to the sink's receiver, naming the setting
 * that fixes it; undefined for other errors. Retrying never helps these: the hint is for the log
 * line of the first failure.
 */
export function tlsHint(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (UNTRUSTED.has(code)) {
    return "the server's certificate is not signed by a CA this machine trusts (self-signed or a private CA): set sink.tls.ca to the CA certificate that signed it (a PEM file path or inline PEM)";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the certificate does not name the host in sink.url: use a name it carries, or set sink.tls.server_name';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return "check the server certificate's validity dates, and this machine's clock";
  return undefined;
}

/**
 * Reads a PEM given inline (`-----BEGIN ...`) or as a file path (relative paths from the working
 * directory). Throws `OPTIONS_INVALID` naming the key and what to do.
 */
export function readPem(value: string, key: string, read: (path: string) => Buffer = readFileSync): Buffer {
  if (value.trimStart().startsWith('-----BEGIN')) return Buffer.from(value);
  try {
    return read(value);
  } catch (err) {
    throw new FieldbridgeError(
      'OPTIONS_INVALID',
      `${key}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? String(err)}); relative paths are read from the working directory ${process.cwd()}`,
      { cause: err },
    );
  }
}
