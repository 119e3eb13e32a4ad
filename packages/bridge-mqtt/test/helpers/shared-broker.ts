import type { CleanupTracker } from '@fieldbridge/core/testing';
import type { IClientOptions } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { startMosquitto, type Mosquitto } from '../../src/testing/mosquitto.js';
import { connectPublisher, type Publisher } from './mqtt.js';

/** One mosquitto shared by the tests of a file; each test keeps to topics of its own. */
export interface SharedBroker {
  /** `mqtt://127.0.0.1:<port>` (from the file's first `beforeAll` on). */
  readonly url: string;
  readonly port: number;
  /** What mosquitto logged. */
  log(): string;
  /**
   * A publisher connected to the broker: closed after the test when `track` is given, else after
   * the file's last test (before the broker stops).
   */
  publisher(track?: CleanupTracker, options?: IClientOptions): Promise<Publisher>;
}

/**
 * Starts a mosquitto before a file's first test and closes it (and the file's publishers) after
 * its last. Call at the top level of the test file, before its own `beforeAll`s, which then find
 * the broker listening.
 */
export function sharedMosquitto(): SharedBroker {
  let broker: Mosquitto | undefined;
  const filePublishers: Publisher[] = [];
  const started = (): Mosquitto => {
    if (broker === undefined) throw new Error('the shared mosquitto starts in beforeAll: use it inside a test or a later hook');
    return broker;
  };
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    for (const pub of filePublishers.splice(0)) await pub.close();
    await broker?.close();
  });
  return {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    log: () => started().log(),
    async publisher(track, options = {}) {
      const pub = await connectPublisher(started().url, options);
      if (track) track.add(pub, (p) => p.close());
      else filePublishers.push(pub);
      return pub;
    },
  };
}
