import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Gateway, GatewayOptions, LiveHistory } from '../src/index.js';
import { call, ingest, startGateway } from './helpers.js';
import { openSse, updatesOf, type SseClient, type SseSnapshot, type SseUpdate } from './sse-client.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const INTERVAL = 250;
const tick = (): void => void vi.advanceTimersByTime(INTERVAL);

async function gatewayWith(live: Exclude<GatewayOptions['live'], false> = {}): Promise<Gateway> {
  return startGateway({ live: { intervalMs: INTERVAL, ...live } });
}

async function tickAndReceive(client: SseClient): Promise<SseUpdate> {
  const from = client.events.length;
  tick();
  return (await client.next((e) => e.event === 'update', from)) as SseUpdate;
}

describe('the live page', () => {
  it('is served at / with every file it references, uPlot from its npm package', async () => {
    const gateway = await gatewayWith();
    const page = await fetch(`${gateway.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(expect.arrayContaining(['/assets/app.js', '/assets/style.css', '/assets/vendor/uplot.min.css']));
    for (const ref of refs) {
      const res = await fetch(`${gateway.origin}${ref}`);
      expect([ref, res.status]).toEqual([ref, 200]);
    }
    const uplot = await fetch(`${gateway.origin}/assets/vendor/uplot.esm.js`);
    expect(uplot.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const file = createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js');
    expect(Buffer.from(await uplot.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    // Every module the page imports is served.
    const app = await (await fetch(`${gateway.origin}/assets/app.js`)).text();
    for (const [, name] of app.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
      expect([name, (await fetch(`${gateway.origin}/assets/${name}`)).status]).toEqual([name, 200]);
    }
    expect((await fetch(`${gateway.origin}/assets/../src/gateway.ts`)).status).toBe(404);
  });

  it('serves chart history as of the last event id, numeric series only', async () => {
    const gateway = await gatewayWith();
    const client = await openSse(gateway);
    await client.next((e) => e.event === 'snapshot');
    for (let r = 0; r < 3; r++) {
      await ingest(gateway, {
        source_id: 'plant-a',
        points: [
          { metric: 'temp', value: 20 + r, timestamp: 1_700_000_000_000 + r * 1000 },
          { metric: 'state', value: `s${r}`, timestamp: 1_700_000_000_000 + r * 1000 },
        ],
      });
      await tickAndReceive(client);
    }
    const [temp, state] = updatesOf(client)[0]!.data.series!;
    const answer = await call(gateway, 'GET', `/_dev/live/history?ids=${temp![0]},${state![0]},999`);
    expect(answer.status).toBe(200);
    const history = answer.json as LiveHistory;
    expect(history.id).toBe(updatesOf(client)[2]!.id);
    const flat = history.series[String(temp![0])]!;
    expect(flat.filter((_, i) => i % 2 === 1)).toEqual([20, 21, 22]);
    expect(flat.filter((_, i) => i % 2 === 0).map((dt) => dt + history.t)).toEqual([0, 1, 2].map((r) => 1_700_000_000_000 + r * 1000));
    expect(Object.keys(history.series)).toEqual([String(temp![0])]);
    expect((await call(gateway, 'GET', '/_dev/live/history?ids=1,x')).status).toBe(400);
    const tooMany = Array.from({ length: 501 }, (_, i) => i).join(',');
    expect((await call(gateway, 'GET', `/_dev/live/history?ids=${tooMany}`)).status).toBe(400);
  });

  it('sends every client a fresh snapshot after a reset', async () => {
    const gateway = await gatewayWith();
    const client = await openSse(gateway);
    await client.next((e) => e.event === 'snapshot');
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'temp', value: 20 }] });
    const update = await tickAndReceive(client);
    expect((await call(gateway, 'POST', '/_dev/reset')).status).toBe(204);
    const fresh = (await client.next((e) => e.event === 'snapshot', 2)) as SseSnapshot;
    expect(fresh.id).toBe(update.id! + 1);
    expect(fresh.data).toMatchObject({ sources: [], series: [], events: [], stats: { points: 0, series: 0 } });
    // A client still at the old id is behind the reset: it gets the new snapshot, not a replay.
    const late = await openSse(gateway, { lastEventId: update.id! });
    expect(((await late.next(() => true)) as SseSnapshot).id).toBe(fresh.id);
  });

  it('drops every client on POST /_dev/live/disconnect; they resume where they were', async () => {
    const gateway = await gatewayWith();
    const client = await openSse(gateway);
    await client.next((e) => e.event === 'snapshot');
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'n', value: 1 }] });
    const before = await tickAndReceive(client);
    expect((await call(gateway, 'POST', '/_dev/live/disconnect')).json).toEqual({ disconnected: 1 });
    await client.ended;
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'n', value: 2 }] });
    tick();
    const again = await openSse(gateway, { lastEventId: before.id! });
    const missed = (await again.next(() => true)) as SseUpdate;
    expect([missed.event, missed.id]).toEqual(['update', before.id! + 1]);
    expect(missed.data.samples![0]![3]).toBe(2);
  });

  it('drops a client that stops reading once its unsent data passes the bound, and keeps serving the others', async () => {
    const gateway = await gatewayWith({ clientBufferBytes: 64 * 1024 });
    const healthy = await openSse(gateway);
    await healthy.next((e) => e.event === 'snapshot');
    const slow = net.connect(gateway.port, '127.0.0.1');
    slow.on('error', () => undefined);
    onTestFinished(() => void slow.destroy());
    await once(slow, 'connect');
    slow.pause();
    slow.write(`GET /_dev/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    let dropped = 0;
    // Until the kernel's socket buffers are full nothing is held in the process; then every
    // event adds about 80 kB, so the bound is passed within a bounded number of rounds.
    for (let round = 0; round < 500 && dropped === 0; round++) {
      const points = Array.from({ length: 5000 }, (_, i) => ({ metric: `m${i}`, value: round }));
      await ingest(gateway, { source_id: 'plant-a', points });
      const update = await tickAndReceive(healthy);
      dropped = update.data.stats?.droppedClients ?? 0;
    }
    expect(dropped).toBe(1);
    slow.resume();
    await once(slow, 'close');
    const ids = healthy.events.map((e) => e.id!);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => ids[0]! + k));
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'after', value: 1 }] });
    expect((await tickAndReceive(healthy)).data.stats).toMatchObject({ clients: 1, droppedClients: 1 });
  });

  it('tracks at most maxSeries series and counts the points of the others', async () => {
    const gateway = await gatewayWith({ maxSeries: 3 });
    const client = await openSse(gateway);
    await client.next((e) => e.event === 'snapshot');
    await ingest(gateway, { source_id: 'plant-a', points: Array.from({ length: 5 }, (_, i) => ({ metric: `m${i}`, value: i })) });
    const update = await tickAndReceive(client);
    expect(update.data.series!.map((d) => d[2])).toEqual(['m0', 'm1', 'm2']);
    expect(update.data.stats).toMatchObject({ points: 5, series: 3, untrackedPoints: 2 });
  });
});
