import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink, type Sink } from '../src/index.js';
import { makeTestCerts, type TestCerts } from '../src/testing/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, fastRetry } from './helpers/ws-sink.js';

let certs: TestCerts;
let server: Server;
let port: number;
beforeAll(async () => {
  certs = await makeTestCerts();
  // A server whose certificate signed itself, as made with `openssl req -x509` for a quick setup.
  server = createServer({ cert: readFileSync(certs.ca), key: readFileSync(join(certs.dir, 'ca.key')) }, (_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await certs.remove();
});

async function firstFailure(url: string): Promise<string> {
  const { logger, lines } = captureLogger();
  const s: Sink = createSink({
    url, apiKey: 'k', sourceId: 'tls-hint', registry: new Registry(), logger,
    retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100, firstSampleWaitMs: 60_000,
  });
  try {
    const reconnecting: number[] = [];
    s.on('reconnecting', ({ attempt }) => reconnecting.push(attempt));
    s.send('m', 1);
    await waitFor(() => reconnecting.length > 0, 'reconnecting');
    // The first failure's log line already says what to do.
    expect(reconnecting[0]).toBe(1);
    return lines().find((l) => /SELF_SIGNED/.test(l.msg))?.msg ?? '(no log line)';
  } finally {
    await s.close();
  }
}

describe('a receiver with a self-signed certificate', () => {
  it('over HTTPS: the first failure names sink.tls.ca', async () => {
    expect(await firstFailure(`https://127.0.0.1:${port}/ingest`)).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT.*set sink\.tls\.ca/);
  });

  it('over wss: the first failure names sink.tls.ca', async () => {
    expect(await firstFailure(`wss://127.0.0.1:${port}/ws/device`)).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT.*set sink\.tls\.ca/);
  });
});
