// The real fieldbridge sink, as a WebSocket device for the page tests. It is imported by path,
// not as a dependency: @fieldbridge/core already has gateway-dev as a dev dependency (its tests
// run against it), and turbo refuses a cycle between the two packages.
import { afterEach } from 'vitest';
import { createLogger, createSink } from '../../core/src/index.js';
import type { Point, Sink } from '../../core/src/index.js';
import type { Gateway } from '../src/index.js';
import { KEY } from './helpers.js';

export type { Point, Sink };

const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

/** A sink connected to the gateway's device endpoint as `sourceId`, answering control messages for real. */
export function deviceSink(gateway: Gateway, sourceId: string): Sink {
  const sink = createSink({
    url: gateway.wsUrl,
    apiKey: KEY,
    sourceId,
    batch: { lingerMs: 50 },
    logger: createLogger({ level: 'silent' }),
    shutdownTimeoutMs: 2000,
  });
  sinks.push(sink);
  return sink;
}
