import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Gateway, LiveSource } from '../src/index.js';
import { call, ingest, READ_ONLY_KEY, startGateway } from './helpers.js';
import { openSse, updatesOf, type SseClient, type SseSnapshot, type SseUpdate } from './sse-client.js';
import { authenticatedDevice, telemetry } from './ws-helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const INTERVAL = 250;

async function watched(): Promise<{ gateway: Gateway; client: SseClient }> {
  const gateway = await startGateway({ live: { intervalMs: INTERVAL } });
  const client = await openSse(gateway);
  await client.next((e) => e.event === 'snapshot');
  return { gateway, client };
}

async function tickAndReceive(client: SseClient): Promise<SseUpdate> {
  const from = client.events.length;
  vi.advanceTimersByTime(INTERVAL);
  return (await client.next((e) => e.event === 'update', from)) as SseUpdate;
}

/** The latest state of one source across every update received. */
function sourceIn(client: SseClient, id: string): LiveSource | undefined {
  let found: LiveSource | undefined;
  for (const u of updatesOf(client)) for (const s of u.data.sources ?? []) if (s.id === id) found = s;
  return found;
}

describe('what the stream reports', () => {
  it('refused requests with the reason, and the source when the body named one', async () => {
    const { gateway, client } = await watched();
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'ok', value: 1 }, { metric: 'bad', value: null }] });
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'ok', value: 1 }] }, { key: 'wrong' });
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'ok', value: 1 }] }, { key: READ_ONLY_KEY });
    gateway.setFaults({ status: 503, count: 1, retryAfter: '1' });
    await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'ok', value: 1 }] });
    const update = await tickAndReceive(client);
    expect(update.data.rejections).toEqual([
      { t: expect.any(Number), via: 'http', status: 400, error: 'points[1].value must not be null', source: 'plant-a' },
      { t: expect.any(Number), via: 'http', status: 401, error: 'invalid API key' },
      { t: expect.any(Number), via: 'http', status: 403, error: expect.stringContaining('lacks write scope') },
      { t: expect.any(Number), via: 'http', status: 503, error: 'fault injected by gateway-dev: status 503' },
    ]);
    expect(sourceIn(client, 'plant-a')).toMatchObject({ rejected: 1, points: 0 });
    expect(update.data.stats).toMatchObject({ requests: 4, byStatus: { '400': 1, '401': 1, '403': 1, '503': 1 } });
  });

  it('a WebSocket device: connected, its points, the controls sent and its answers, then disconnected', async () => {
    const { gateway, client } = await watched();
    const { device } = await authenticatedDevice(gateway, { source_id: 'rover-1', platform: 'linux-arm64', agent_version: 'bridge-mavlink/0.1.0' }, true);
    device.send(telemetry('t-1', 2));
    await device.next((f) => f.type === 'ack');
    await gateway.sendControl('rover-1', { type: 'start_session', session_id: 'run-1', session_name: 'Run 1' });
    await gateway.sendControl('rover-1', { type: 'start_stream', metrics: ['line1.*'], interval_ms: 500 });
    const update = await tickAndReceive(client);
    expect(sourceIn(client, 'rover-1')).toMatchObject({
      via: ['ws'],
      link: 'connected',
      points: 2,
      batches: 1,
      device: { requestedSourceId: 'rover-1', installId: 'install-a', platform: 'linux-arm64', agentVersion: 'bridge-mavlink/0.1.0', session: 'run-1', stream: { metrics: ['line1.*'], interval_ms: 500 } },
    });
    expect(update.data.conversation!.map((m) => [m.dir, m.source, m.frame.type])).toEqual([
      ['out', 'rover-1', 'start_session'],
      ['in', 'rover-1', 'session_started'],
      ['out', 'rover-1', 'start_stream'],
      ['out', 'rover-1', 'ping'],
      ['in', 'rover-1', 'pong'],
    ]);
    expect(update.data.samples!.map((e) => e[1])).toEqual([2]);
    await call(gateway, 'POST', '/_dev/disconnect', { source_id: 'rover-1' });
    await device.closed;
    await tickAndReceive(client);
    expect(sourceIn(client, 'rover-1')).toMatchObject({ link: 'disconnected', reason: 'the connection closed' });
  });

  it('a device refused at device_auth shows as refused, with the reason', async () => {
    const { gateway, client } = await watched();
    const { authenticated } = await authenticatedDevice(gateway, { source_id: 'intruder', api_key: 'not-the-key' });
    expect(authenticated).toMatchObject({ type: 'error', code: 'unauthorized' });
    const update = await tickAndReceive(client);
    expect(sourceIn(client, 'intruder')).toMatchObject({ link: 'refused', reason: 'invalid API key', points: 0 });
    expect(update.data.rejections).toEqual([{ t: expect.any(Number), via: 'ws', status: 'unauthorized', error: 'invalid API key', source: 'intruder' }]);
  });

  it('bounds what it keeps of a long device frame', async () => {
    const { gateway, client } = await watched();
    const { device } = await authenticatedDevice(gateway, { source_id: 'rover-1' });
    const pending = gateway.sendControl('rover-1', { type: 'configure', id: 'c1', config: {} });
    await device.next((f) => f.type === 'configure');
    device.send({ type: 'configure_result', id: 'c1', ok: true, result: { blob: 'x'.repeat(10_000) } });
    await pending;
    const update = await tickAndReceive(client);
    const answer = update.data.conversation!.find((m) => m.dir === 'in')!;
    expect(answer.frame).toMatchObject({ type: 'configure_result', truncated: true });
    expect(JSON.stringify(answer.frame).length).toBeLessThan(2200);
  });

  it('keeps the latest of everything for the next snapshot', async () => {
    const { gateway, client } = await watched();
    await ingest(gateway, { source_id: 'alarms', points: Array.from({ length: 250 }, (_, i) => ({ metric: 'alarm', value: `a${i}`, class: 'event' })) });
    await tickAndReceive(client);
    const later = await openSse(gateway);
    const snapshot = (await later.next(() => true)) as SseSnapshot;
    // One interval carried 250 events of one series: 16 were sent, as the stream does.
    expect(snapshot.data.events.map((e) => e[2]).at(-1)).toBe('a249');
    expect(snapshot.data.events).toHaveLength(16);
    expect(snapshot.data.series[0]!.slice(6, 7)).toEqual([250]);
  });

  it('keeps the events of one interval in time order, whichever series they came in', async () => {
    const { gateway, client } = await watched();
    const t0 = Date.UTC(2026, 11, 1, 13, 44, 50);
    // The door opened first, then the alarm; the alarm's series is the older one.
    await ingest(gateway, { source_id: 'plant', points: [{ metric: 'alarm', value: 'seed', class: 'event', timestamp: t0 - 5000 }] });
    await tickAndReceive(client);
    await ingest(gateway, { source_id: 'plant', points: [{ metric: 'alarm', value: 'raised', class: 'event', timestamp: t0 + 2000 }, { metric: 'door', value: 'open', class: 'event', timestamp: t0 + 1000 }] });
    await tickAndReceive(client);
    const later = await openSse(gateway);
    const snapshot = (await later.next(() => true)) as SseSnapshot;
    expect(snapshot.data.events.map((e) => e[2])).toEqual(['seed', 'open', 'raised']);
  });
});

interface PageModel {
  applySnapshot(data: SseSnapshot['data']): unknown;
  applyUpdate(data: SseUpdate['data'], id: number): unknown;
  readonly events: ReadonlyArray<{ text: string }>;
}

describe('event series list their changes', () => {
  it('a polled boolean or a state sent again adds no event row, in the stream and in the page model', async () => {
    const { gateway, client } = await watched();
    // The page's own model (plain JavaScript for the browser, free of the DOM).
    const { createModel } = (await import(new URL('../page/model.js', import.meta.url).href)) as { createModel: () => PageModel };
    const model = createModel();
    model.applySnapshot((client.events[0] as SseSnapshot).data);
    const t0 = Date.UTC(2026, 11, 2, 8, 0, 0);
    const pump = (values: boolean[], from: number) => values.map((value, i) => ({ metric: 'pump.on', value, timestamp: t0 + from + i }));
    await ingest(gateway, { source_id: 'plc', points: pump([true, true, false, false], 0) });
    model.applyUpdate((await tickAndReceive(client)).data, 1);
    await ingest(gateway, { source_id: 'plc', points: pump([false, true, true], 10) });
    model.applyUpdate((await tickAndReceive(client)).data, 2);
    const later = await openSse(gateway);
    const snapshot = (await later.next(() => true)) as SseSnapshot;
    expect(snapshot.data.events.map((e) => e[2])).toEqual(['true', 'false', 'true']);
    expect(model.events.map((e) => e.text)).toEqual(['true', 'false', 'true']);
    // The series still counts every point.
    expect(snapshot.data.series[0]!.slice(6, 7)).toEqual([7]);
  });
});
