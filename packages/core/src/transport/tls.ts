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
