import type { Clock } from '../clock/clock.js';
import { FieldbridgeError } from '../errors.js';
import type { ResolvedSinkOptions } from '../sink/sink-options.js';
import { createHttpTransport } from './http-transport.js';
import { createStdoutTransport } from './stdout-transport.js';
import type { Transport } from './transport.js';

/** The transport a sink URL selects: `stdout`, `http(s)://`, or `ws(s)://`. */
export function createTransport(o: ResolvedSinkOptions, clock: Clock): Transport {
  if (o.url === 'stdout') return createStdoutTransport({ sourceId: o.sourceId, stream: o.stdout });
  if (/^https?:\/\//.test(o.url)) {
    return createHttpTransport({ url: o.url, apiKey: o.apiKey, sourceId: o.sourceId, gzip: o.gzip, clock });
  }
  throw new FieldbridgeError(
    'OPTIONS_INVALID',
    `sink: url ${o.url}: the WebSocket device protocol is not in this version yet; use the HTTP ingest URL (https://…/ingest)`,
  );
}
