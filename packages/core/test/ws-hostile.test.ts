import { describe, expect, it } from 'vitest';
import { globMatch } from '../src/shared/glob.js';
import { until as waitFor } from '../src/testing/until.js';
import { metric, startGateway, wsSink } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;

describe('hostile WebSocket servers (issue 10)', () => {
  it('#13: start_stream patterns match in linear time, whatever the pattern', () => {
    const name = 'a'.repeat(5000);
    expect(globMatch(`${'*a'.repeat(50)}*b`, name)).toBe(false);
    expect(globMatch('line1.*.rpm', 'line1.motor.rpm')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false);
  });

  it('#13: a pathological pattern does not freeze the bridge, and the request ends with its connection', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    await gateway.sendControl(undefined, { type: 'start_stream', metrics: [`${'*a'.repeat(40)}*b`] });
    s.send('a'.repeat(200), 1, { timestamp: T0 });
    s.send('kept', 2, { timestamp: T0 });
    await s.flush();
    expect(gateway.points().map((p) => p.value)).toEqual([]);
    expect(await metric(s.registry, 'fieldbridge_points_dropped_total', { reason: 'filtered' })).toBe(2);
    gateway.disconnectDevices();
    await waitFor(() => gateway.devices().length === 1, 'reconnected');
    s.send('kept', 3, { timestamp: T0 });
    await s.flush();
    expect(gateway.points().map((p) => p.value)).toEqual([3]);
  });

  it('#14: a server message over 256 KiB closes the connection (counted), and the bridge reconnects', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    const huge = gateway.sendControl('ws-test', { type: 'ping', id: 'x'.repeat(2 * 1024 * 1024) }, { timeoutMs: 2000 });
    await expect(huge).resolves.toEqual([expect.objectContaining({ error: expect.any(String) })]);
    await waitFor(async () => (await metric(s.registry, 'fieldbridge_ws_oversized_messages_total')) === 1, 'the refusal counted');
    await waitFor(() => gateway.devices().length === 1, 'reconnected');
    s.send('after', 1, { timestamp: T0 });
    await s.flush();
    expect(gateway.points({ metric: 'after' })).toHaveLength(1);
  });

  it('#14: a ping id is echoed only when short: a server cannot make the bridge send its megabytes back', async () => {
    const gateway = await startGateway();
    wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    const [long] = await gateway.sendControl('ws-test', { type: 'ping', id: 'y'.repeat(100_000) });
    expect(long).toMatchObject({ reply: { type: 'pong' } });
    expect((long as { reply: Record<string, unknown> }).reply.id).toBeUndefined();
    const [short] = await gateway.sendControl('ws-test', { type: 'ping', id: 'p-1' });
    expect(short).toMatchObject({ reply: { type: 'pong', id: 'p-1' } });
  });
});
