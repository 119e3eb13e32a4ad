import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isModbusBridgeError } from '../src/errors.js';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { startFrameCounter, type FrameCounter } from './helpers/frame-counter.js';
import { oneDevice, section } from './helpers/mapping.js';
import { startServerTcp, type RegisterBank, type TestServerTcp } from './helpers/server-tcp.js';
import { createModbusSource, type ModbusSource } from '../src/source.js';

const track = trackCleanups();
const source = (...args: Parameters<typeof createModbusSource>): ModbusSource => track.add(createModbusSource(...args), (s) => s.stop());
const server = async (bank: RegisterBank): Promise<TestServerTcp> => track.add(await startServerTcp(bank), (s) => s.close());
const frameCounter = async (port: number): Promise<FrameCounter> => track.add(await startFrameCounter(port), (w) => w.close());

/** A TCP server that accepts connections and never answers: a PLC gone half-open. */
async function silentServer(): Promise<{ url: string; connections: () => number; connected: (n: number) => Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    server.emit('counted');
    sockets.add(socket);
    socket.on('error', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = (): Promise<void> => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  track.defer(close);
  const connected = async (n: number): Promise<void> => {
    while (connections < n) await once(server, 'counted');
  };
  return { url: `tcp://127.0.0.1:${port}`, connections: () => connections, connected, close };
}

describe('lines, bits and failures', () => {
  it('coalesces coil and discrete reads on the wire', async () => {
    const srv = await server({ coils: new Map([[0, true], [7, true], [300, true]]), discrete: new Map([[2, true]]) });
    const wire = await frameCounter(srv.port);
    const points = [
      ...[0, 1, 2, 7, 40].map((a) => ({ metric: `c${a}`, table: 'coil', address: a })),
      { metric: 'c300', table: 'coil', address: 300 },
      ...[0, 1, 2, 3].map((a) => ({ metric: `d${a}`, table: 'discrete', address: a })),
    ];
    const t = createTestContext();
    await source(oneDevice(wire.url, points), t.ctx).once();
    expect(wire.requests.map((r) => [r.functionCode, r.address, r.count])).toEqual([
      [1, 0, 41],
      [1, 300, 1],
      [2, 0, 4],
    ]);
    expect(t.valuesOf('c7')).toEqual([true]);
    expect(t.valuesOf('c300')).toEqual([true]);
    expect(t.valuesOf('c40')).toEqual([false]);
    expect(t.valuesOf('d2')).toEqual([true]);
  });

  it('shares one connection between unit ids and sends one request at a time', async () => {
    const srv = await server({ holding: new Map([[0, 5]]) });
    const wire = await frameCounter(srv.port);
    const points = [0, 1, 100, 101].map((address) => ({ metric: `{device}.v${address}`, table: 'holding', address }));
    const config = section({
      devices: [1, 2, 3].map((unit) => ({ name: `u${unit}`, connection: wire.url, unit_id: unit, points })),
    });
    const t = createTestContext();
    await source(config, t.ctx).once();
    expect(wire.requests.map((r) => r.unit)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(srv.seen.map((r) => r.unit)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(wire.maxInFlight()).toBe(1);
    expect(t.points.map((p) => p.tags?.device)).toEqual(['u1', 'u1', 'u1', 'u1', 'u2', 'u2', 'u2', 'u2', 'u3', 'u3', 'u3', 'u3']);
  });

  it('never has two requests in flight on a shared line while devices poll on their own timers', async () => {
    const srv = await server({ holding: new Map([[0, 5]]) });
    const wire = await frameCounter(srv.port);
    const points = [0, 100, 200].map((address) => ({ metric: `{device}.v${address}`, table: 'holding', address }));
    const config = section({ devices: [1, 2, 3].map((unit) => ({ name: `u${unit}`, connection: wire.url, unit_id: unit, poll_ms: 10, points })) });
    const t = createTestContext();
    await source(config, t.ctx).start();
    const perDevice = (name: string): number => t.points.filter((p) => p.tags?.device === name).length;
    await t.waitFor(() => ['u1', 'u2', 'u3'].every((n) => perDevice(n) >= 30), '30 points from every unit');
    expect(wire.maxInFlight()).toBe(1);
    expect(new Set(wire.requests.map((r) => r.unit))).toEqual(new Set([1, 2, 3]));
  });

  it('counts timeouts per episode and reopens a socket that stopped answering', async () => {
    const silent = await silentServer();
    const t = createTestContext();
    const src = source(oneDevice(silent.url, [{ metric: 'v', table: 'holding', address: 0 }], {
      poll_ms: 10, timeout_ms: 50, retries: 1, reconnect: { initial_ms: 10, max_ms: 20 },
    }), t.ctx);
    await src.start();
    await silent.connected(2);
    // Three requests in a row unanswered reopen the socket: the first with its retry, then (the
    // device silent) one try each.
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'plc', kind: 'timeout' })).toBeGreaterThanOrEqual(4);
    const timeouts = t.problems.filter((p) => p.key === 'modbus.plc.timeout');
    expect(timeouts.filter((p) => p.logged)).toHaveLength(1);
    expect(timeouts[0]?.message).toMatch(/did not answer holding 0 within 50 ms \(2 tries\)/);
    // The cycles outlast poll_ms because of the timeouts, which are said: no overrun beside them.
    expect(t.problems.filter((p) => p.key === 'modbus.plc.overrun')).toEqual([]);
    expect(t.points).toEqual([]);
    expect(src.devices()[0]?.state).not.toBe('connected');
  });

  it('can be created again on the same registry, as a SIGHUP reload does', async () => {
    const srv = await server({ holding: new Map([[0, 9]]) });
    const t = createTestContext();
    const config = oneDevice(srv.url, [{ metric: 'v', table: 'holding', address: 0 }]);
    const first = source(config, t.ctx);
    await first.once();
    await first.stop();
    await source(config, t.ctx).once();
    expect(t.valuesOf('v')).toEqual([9, 9]);
    expect(await t.metric('fieldbridge_modbus_requests_total', { device: 'plc', table: 'holding' })).toBe(2);
  });

  it('once() rejects with READ_FAILED naming the connection when nothing listens', async () => {
    const srv = await startServerTcp({});
    await srv.close();
    const t = createTestContext();
    const src = source(oneDevice(srv.url, [{ metric: 'v', table: 'holding', address: 0 }]), t.ctx);
    const error = await src.once().then(() => undefined, (err: unknown) => err);
    expect(isModbusBridgeError(error, 'READ_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`tcp://127.0.0.1:${srv.port}: cannot connect`));
  });

  it('a device whose line cannot connect keeps the connection error as its reason, poll after poll', async () => {
    const gone = await startServerTcp({});
    await gone.close();
    const live = await server({ holding: new Map([[0, 7]]) });
    const t = createTestContext();
    // One device reads on, the other's line is refused; both poll every 20 ms, and the refused
    // line waits a minute before its next attempt, so every poll of it in between finds it down.
    const devices = [
      { name: 'ok', connection: live.url, poll_ms: '20ms', points: [{ metric: 'ok.v', table: 'holding', address: 0 }] },
      { name: 'dead', connection: gone.url, poll_ms: '20ms', reconnect: { initial_ms: '1m', max_ms: '1m' }, points: [{ metric: 'dead.v', table: 'holding', address: 0 }] },
    ];
    await source(section({ devices }), t.ctx).start();
    await t.waitFor(() => t.points.filter((p) => p.metric === 'ok.v').length >= 20, '20 polls of the live device');
    expect(t.channels().dead?.reason).toMatch(new RegExp(`cannot connect to 127\\.0\\.0\\.1:${gone.port}: connect ECONNREFUSED`));
  });

  it('stops while a request is in flight, promptly and idempotently', async () => {
    const silent = await silentServer();
    const t = createTestContext();
    const src = createModbusSource(oneDevice(silent.url, [{ metric: 'v', table: 'holding', address: 0 }], { timeout_ms: 60_000 }), t.ctx);
    await src.start();
    await silent.connected(1);
    await Promise.all([src.stop(), src.stop()]);
    await src.stop();
    expect(t.points).toEqual([]);
  });
});
