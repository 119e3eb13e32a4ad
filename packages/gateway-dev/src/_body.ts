import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; status: 400 | 413 | 415; error: string };

export interface ReadBodyOptions {
  /** Cap on the compressed and on the decompressed size, in bytes. */
  maxBytes: number;
  /** Called with the size of every chunk read from the wire. */
  onWireBytes?: (bytes: number) => void;
  /**
   * False: the body as it came off the wire, still compressed (a signature covers those bytes);
   * decode it with {@link decodeBody} once checked. Default true.
   */
  decode?: boolean;
}

/**
 * Discards the rest of a body we stopped reading, so the 413 reaches the client on a connection
 * that stays usable (closing it while the client still uploads would reset the connection and
 * lose the answer). Past `hardCapBytes` the connection is destroyed after all.
 */
export function discardRest(req: IncomingMessage, hardCapBytes: number): void {
  let discarded = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > hardCapBytes) req.socket.destroy();
  });
  req.resume();
}

/**
 * Reads a request body, gunzipping `content-encoding: gzip`, and stops as soon as either size
 * passes `maxBytes`: nothing past the cap is buffered.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<BodyResult> {
  const { maxBytes } = options;
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    discardRest(req, maxBytes);
    return Promise.resolve({ ok: false, status: 415, error: `content-encoding "${encoding}" is not supported: send gzip or none` });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req, 4 * maxBytes);
    return Promise.resolve({ ok: false, status: 413, error: `body of ${declared} bytes is over the limit of ${maxBytes}` });
  }
  const gunzip = encoding === 'identity' || options.decode === false ? undefined : createGunzip();

  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;

    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      if (!result.ok) {
        gunzip?.destroy();
        if (!req.complete) discardRest(req, 4 * maxBytes);
      }
      resolve(result);
    };
    const tooLarge = (what: string): void =>
      settle({ ok: false, status: 413, error: `${what} body is over the limit of ${maxBytes} bytes` });
    const keep = (chunk: Buffer, what: string): void => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBytes) tooLarge(what);
      else chunks.push(chunk);
    };

    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      wireBytes += chunk.length;
      options.onWireBytes?.(chunk.length);
      if (wireBytes > maxBytes) return tooLarge(gunzip === undefined ? 'the' : 'the compressed');
      if (gunzip === undefined) return keep(chunk, 'the');
      if (!gunzip.write(chunk)) {
        req.pause();
        gunzip.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (gunzip === undefined) settle({ ok: true, body: Buffer.concat(chunks) });
      else gunzip.end();
    });
    req.on('error', (err) => settle({ ok: false, status: 400, error: `request failed: ${err.message}` }));
    req.on('close', () => {
      if (!req.complete) settle({ ok: false, status: 400, error: 'request aborted before the body ended' });
    });
    gunzip?.on('data', (chunk: Buffer) => {
      if (!settled) keep(chunk, 'the decompressed');
    });
    gunzip?.on('end', () => settle({ ok: true, body: Buffer.concat(chunks) }));
    gunzip?.on('error', (err) => settle({ ok: false, status: 400, error: `body is not valid gzip: ${err.message}` }));
  });
}

const gunzipAsync = promisify(gunzip);

/**
 * Decodes a body read with `decode: false`: gunzipped when the request says gzip, at most
 * `maxBytes` decompressed (a zip bomb stops at the cap).
 */
export async function decodeBody(req: IncomingMessage, wire: Buffer, maxBytes: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return { ok: true, body: wire };
  try {
    return { ok: true, body: await gunzipAsync(wire, { maxOutputLength: maxBytes }) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, status: 413, error: `the decompressed body is over the limit of ${maxBytes} bytes` };
    return { ok: false, status: 400, error: `body is not valid gzip: ${(err as Error).message}` };
  }
}
