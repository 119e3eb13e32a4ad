import { Transform, type Duplex } from 'node:stream';
import { formatSize } from '@fieldbridge/core/bridge';
import { createOversizeFilter } from './_oversize-filter.js';
import { MqttBridgeError } from './errors.js';

/** Options of {@link guardStream}. */
export interface GuardOptions {
  /** `max_packet_size`: a PUBLISH over it becomes a stand-in; any other packet over it drops the connection. */
  maxBytes: number;
  /** 4 (MQTT 3.1.1) or 5: how a PUBLISH's header is read. */
  protocolVersion: number;
  /** What the stand-ins of oversized messages carry (see `_oversize-filter.ts`). */
  marker: Buffer;
  /** Told the size of an oversized packet that is not a PUBLISH, before the connection is dropped. */
  onTooLarge: (size: number) => void;
}

/**
 * Puts a new connection's stream in shape for mqtt.js: what it reads passes the oversize filter
 * (a PUBLISH over `maxBytes` is replaced by a stand-in before mqtt.js's parser sees a byte of it;
 * any other oversized packet drops the connection), and what mqtt.js writes while it works
 * through a chunk is held: the PUBACKs of a read's messages then leave in one write once the
 * event loop turns, instead of one system call (and one wake-up of the broker) per message.
 */
export function guardStream(stream: Duplex, options: GuardOptions): Duplex {
  const filter = createOversizeFilter({ maxBytes: options.maxBytes, protocolVersion: options.protocolVersion, marker: options.marker });
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.prependListener('data', () => {
    if (corked || stream.destroyed) return;
    corked = true;
    stream.cork();
    setImmediate(uncork);
  });
  const refuse = (size: number): void => {
    options.onTooLarge(size);
    const what = Number.isFinite(size) ? `a packet of ${size} bytes` : 'a malformed packet length';
    stream.destroy(new MqttBridgeError('PACKET_TOO_LARGE', `the broker sent ${what}, more than max_packet_size (${formatSize(options.maxBytes)}) and no message; dropped the connection before reading it`));
  };
  const filtered = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (stream.destroyed) return done();
      const step = filter(chunk);
      if (!step.ok) {
        refuse(step.size);
        return done();
      }
      for (const piece of step.out) this.push(piece);
      done();
    },
  });
  // mqtt.js pipes the stream into its parser right after making it: through the filter instead.
  const pipe = stream.pipe.bind(stream);
  stream.pipe = (<T extends NodeJS.WritableStream>(destination: T, pipeOptions?: { end?: boolean }): T => {
    pipe(filtered, pipeOptions);
    return filtered.pipe(destination, pipeOptions);
  }) as typeof stream.pipe;
  return stream;
}
