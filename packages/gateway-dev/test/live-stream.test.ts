import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Gateway, GatewayOptions, LiveSamples } from '../src/index.js';
import { call, ingest, startGateway } from './helpers.js';
import { openSse, updatesOf, type SseClient, type SseSnapshot, type SseUpdate } from './sse-client.js';

// The stream's ticker is the only setInterval on the gateway's path (plus the keep-alive comment),
// so faking it alone makes every tick an explicit step while sockets stay real.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const INTERVAL = 250;
const tick = (): void => void vi.advanceTimersByTime(INTERVAL);

async function gatewayWith(live: GatewayOptions['live'] = {}): Promise<Gateway> {
  return startGateway({ live: live === false ? false : { intervalMs: INTERVAL, ...live } });
}

/** Ticks once and waits for the client to receive the update it produced. */
async function tickAndReceive(client: SseClient): Promise<SseUpdate> {
  const from = client.events.length;
  tick();
  return (await client.next((e) => e.event === 'update', from)) as SseUpdate;
}

/** Values carried by the samples of one series across updates, in order. */
function valuesOf(updates: readonly SseUpdate[], seriesId: number): Array<number | string> {
  const values: Array<number | string> = [];
  for (const u of updates) {
    for (const entry of u.data.samples ?? []) {
      if (entry[0] !== seriesId) continue;
      for (let i = 3; i < entry.length; i += 2) values.push(entry[i]!);
    }
  }
  return values;
}

const counter = (from: number, n: number, metric = 'seq') =>
  Array.from({ length: n }, (_, i) => ({ metric, value: from + i, timestamp: 1_700_000_000_000 + from + i }));

describe('GET /_dev/live', () => {
  it('starts with a snapshot of what was stored, as a text/event-stream', async () => {
    const gateway = await gatewayWith();
    await ingest(gateway, {
      source_id: 'plant-a',
      points: [
        { metric: 'line1.rpm', value: 1480, timestamp: 1_700_000_000_000, tags: { unit: 'rpm', line: 'l1' } },
        { metric: 'line1.temp', value: 81.5, timestamp: 1_700_000_000_500 },
      ],
    });
    await ingest(gateway, { source_id: 'alarms', points: [{ metric: 'door', value: 'open', class: 'event', timestamp: 1_700_000_000_900 }] });
    tick();
    const client = await openSse(gateway);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-store');
    const snapshot = (await client.next((e) => e.event === 'snapshot')) as SseSnapshot;
    expect(client.retry).toBe(1000);
    expect(snapshot.id).toEqual(expect.any(Number));
    const { series, sources, events, stats } = snapshot.data;
    expect(series.map((r) => r.slice(1, 10))).toEqual([
      ['plant-a', 'line1.rpm', { unit: 'rpm', line: 'l1' }, 'rpm', 'm', 1, 0, 1_700_000_000_000, 1480],
      ['plant-a', 'line1.temp', 0, 0, 'm', 1, 0, 1_700_000_000_500, 81.5],
      ['alarms', 'door', 0, 0, 'e', 1, 0, 1_700_000_000_900, 'open'],
    ]);
    expect(sources.map((s) => [s.id, s.via, s.points, s.batches])).toEqual([
      ['plant-a', ['http'], 2, 1],
      ['alarms', ['http'], 1, 1],
    ]);
    expect(events).toEqual([[series[2]![0], 1_700_000_000_900, 'open']]);
    expect(stats).toMatchObject({ points: 3, batches: 2, series: 3, sources: 2, clients: 0, untrackedPoints: 0 });
  });

  it('sends what changed as one update per interval, with the next id', async () => {
    const gateway = await gatewayWith();
    const client = await openSse(gateway);
    const snapshot = (await client.next((e) => e.event === 'snapshot')) as SseSnapshot;
    expect(snapshot.data.series).toEqual([]);
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'rpm', value: 1500, timestamp: 1_700_000_000_000, tags: { unit: 'rpm' } }] });
    const update = await tickAndReceive(client);
    expect(update.id).toBe(snapshot.id! + 1);
    const [decl] = update.data.series!;
    expect(decl).toEqual([expect.any(Number), 'plant-a', 'rpm', { unit: 'rpm' }, 'rpm', 'm']);
    const [entry] = update.data.samples!;
    expect(entry).toEqual([decl![0], 1, 1_700_000_000_000 - update.data.t, 1500]);
    expect(update.data.sources).toMatchObject([{ id: 'plant-a', points: 1, batches: 1, lastSeenMs: expect.any(Number) }]);
    expect(update.data.stats).toMatchObject({ points: 1, clients: 1 });
    // Nothing new: ticks send nothing.
    tick();
    tick();
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'rpm', value: 1510, tags: { unit: 'rpm' } }] });
    const next = await tickAndReceive(client);
    expect(next.id).toBe(update.id! + 1);
    expect(next.data.series).toBeUndefined();
    expect(next.data.samples).toEqual([[decl![0], 1, expect.any(Number), 1510]]);
  });

  it('coalesces: however many points arrive, one event per interval, the latest value, at most 16 samples per series', async () => {
    const gateway = await gatewayWith();
    const client = await openSse(gateway);
    await client.next((e) => e.event === 'snapshot');
    for (let r = 0; r < 20; r++) {
      const spread = Array.from({ length: 10 }, (_, m) => ({ metric: `other.${m}`, value: r }));
      await ingest(gateway, { source_id: 'plant-a', points: [...counter(r * 10, 10, 'fast'), ...spread] });
    }
    const update = await tickAndReceive(client);
    expect(updatesOf(client)).toHaveLength(1);
    const fastId = update.data.series!.find((d) => d[2] === 'fast')![0];
    const fast = update.data.samples!.find((e) => e[0] === fastId)!;
    expect(fast[1]).toBe(200);
    const values = fast.slice(2).filter((_, i) => i % 2 === 1);
    // 200 points thinned by halving: every 16th point, then the last one (hand-traced in live-units.test.ts).
    expect(values).toEqual([0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 199]);
    const others = update.data.samples!.filter((e) => e[0] !== fastId);
    expect(others).toHaveLength(10);
    for (const entry of others) expect([entry[1], entry[entry.length - 1]]).toEqual([20, 19]);
    expect(update.data.stats).toMatchObject({ points: 400, batches: 20 });
  });

  it('resumes after Last-Event-ID with exactly the events missed: no gap, no duplicate', async () => {
    const gateway = await gatewayWith();
    const first = await openSse(gateway);
    await first.next((e) => e.event === 'snapshot');
    for (let r = 0; r < 3; r++) {
      await ingest(gateway, { source_id: 'plant-a', points: counter(r * 5, 5) });
      await tickAndReceive(first);
    }
    const seen = updatesOf(first);
    first.close();
    await first.ended;
    for (let r = 3; r < 6; r++) {
      await ingest(gateway, { source_id: 'plant-a', points: counter(r * 5, 5) });
      tick();
    }
    const resumed = await openSse(gateway, { lastEventId: seen[2]!.id! });
    await resumed.next((e) => e.id === seen[2]!.id! + 3);
    expect(resumed.events.map((e) => [e.event, e.id])).toEqual([1, 2, 3].map((k) => ['update', seen[2]!.id! + k]));
    await ingest(gateway, { source_id: 'plant-a', points: counter(30, 5) });
    await tickAndReceive(resumed);
    const all = [...seen, ...updatesOf(resumed)];
    expect(all.map((e) => e.id)).toEqual(Array.from({ length: 7 }, (_, k) => seen[0]!.id! + k));
    const seriesId = seen[0]!.data.series![0]![0];
    expect(valuesOf(all, seriesId)).toEqual(Array.from({ length: 35 }, (_, i) => i));
  });

  it('takes the id from a lastEventId query parameter too, and sends nothing to a client that is current', async () => {
    const gateway = await gatewayWith();
    const first = await openSse(gateway);
    const snapshot = await first.next((e) => e.event === 'snapshot');
    await ingest(gateway, { source_id: 'plant-a', points: counter(0, 3) });
    const update = await tickAndReceive(first);
    const current = await openSse(gateway, { query: `?lastEventId=${update.id}` });
    await ingest(gateway, { source_id: 'plant-a', points: counter(3, 3) });
    const next = await tickAndReceive(current);
    expect(current.events.map((e) => e.id)).toEqual([update.id! + 1]);
    expect(next.data.samples![0]![1]).toBe(3);
    expect(snapshot.id).toBe(update.id! - 1);
  });

  it('sends a snapshot instead of a gap to a client too far behind, or with an id it cannot know', async () => {
    const gateway = await gatewayWith({ replayEvents: 3 });
    const first = await openSse(gateway);
    const snapshot = await first.next((e) => e.event === 'snapshot');
    for (let r = 0; r < 6; r++) {
      await ingest(gateway, { source_id: 'plant-a', points: counter(r, 1) });
      await tickAndReceive(first);
    }
    const lastId = snapshot.id! + 6;
    for (const lastEventId of [snapshot.id!, snapshot.id! + 2, lastId + 1, 'not-a-number']) {
      const client = await openSse(gateway, { lastEventId });
      const fresh = (await client.next(() => true)) as SseSnapshot;
      expect([fresh.event, fresh.id]).toEqual(['snapshot', lastId]);
      expect(fresh.data.series[0]!.slice(1, 7)).toEqual(['plant-a', 'seq', 0, 0, 'm', 6]);
    }
    const withinRing = await openSse(gateway, { lastEventId: lastId - 3 });
    await withinRing.next((e) => e.id === lastId);
    expect(withinRing.events.map((e) => e.event)).toEqual(['update', 'update', 'update']);
  });

  it('answers 503 past maxClients', async () => {
    const gateway = await gatewayWith({ maxClients: 1 });
    const first = await openSse(gateway);
    expect(first.status).toBe(200);
    const second = await openSse(gateway);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('5');
    // The answer counts in good English: one client, not "1 clients".
    expect((await call(gateway, 'GET', '/_dev/live')).json).toEqual({ error: 'the live stream already has 1 client: close a page and retry' });
  });

  it('is off with live: false, and with devEndpoints: false', async () => {
    for (const gateway of [await gatewayWith(false), await startGateway({ devEndpoints: false })]) {
      const res = await fetch(`${gateway.origin}/_dev/live`);
      expect(res.status).toBe(404);
      expect((await fetch(`${gateway.origin}/`)).status).toBe(404);
    }
  });
});
