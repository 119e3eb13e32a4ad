import { describe, expect, it } from 'vitest';
import type { Sink, SinkEvent } from '../src/index.js';
import { closedPort } from './helpers/closed-port.js';
import { sinkAt, startGateway } from './helpers/ws-sink.js';

/** What is left undelivered at the end of a test is not waited for. */
const quick = { shutdownTimeoutMs: 50 };

/** Resolves at the sink's next `event`. */
function next(sink: Sink, event: SinkEvent): Promise<void> {
  return new Promise((resolve) => {
    const off = sink.on(event, () => {
      off();
      resolve();
    });
  });
}

describe.each(['http', 'ws'] as const)('the receiver as the sink last heard it (status, /readyz), over %s', (transport) => {
  const urlOf = (gateway: { url: string; wsUrl: string }) => (transport === 'http' ? gateway.url : gateway.wsUrl);

  it('waiting, then up once it answers, then down with the reason when it goes away', async () => {
    const gateway = await startGateway();
    const sink = sinkAt(urlOf(gateway), quick);
    if (transport === 'http') expect(sink.status().receiver).toBe('waiting');
    sink.send('line1.temp', 21.5);
    await sink.flush({ timeoutMs: 10_000 });
    expect(sink.status()).toMatchObject({ receiver: 'up' });
    expect(sink.status().receiverReason).toBeUndefined();

    const lost = next(sink, 'disconnected');
    await gateway.close();
    sink.send('line1.temp', 21.6);
    await lost;
    expect(sink.status()).toMatchObject({ receiver: 'down', receiverReason: expect.any(String) });
  });

  it('down with the reason while nothing ever answered; refused with the reason for a wrong key', async () => {
    const port = await closedPort();
    const nowhere = sinkAt(transport === 'http' ? `http://127.0.0.1:${port}/ingest` : `ws://127.0.0.1:${port}/ws/device`, quick);
    const retrying = next(nowhere, 'reconnecting');
    nowhere.send('line1.temp', 21.5);
    await retrying;
    expect(nowhere.status()).toMatchObject({ receiver: 'down', receiverReason: expect.stringContaining('ECONNREFUSED') });

    const gateway = await startGateway();
    const wrongKey = sinkAt(urlOf(gateway), { ...quick, apiKey: 'not-the-key' });
    const refused = next(wrongKey, 'auth_failed');
    wrongKey.send('line1.temp', 21.5);
    await refused;
    expect(wrongKey.status()).toMatchObject({ receiver: 'refused', refused: true, receiverReason: expect.stringMatching(/401|invalid API key/) });
  });
});
