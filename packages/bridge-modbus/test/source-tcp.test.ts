import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { fixtureSection, oneDevice } from './helpers/mapping.js';
import { startServerTcp, type TestServerTcp } from './helpers/server-tcp.js';

const track = trackCleanups();

async function server(bank: Parameters<typeof startServerTcp>[0]): Promise<TestServerTcp> {
  return track.add(await startServerTcp(bank), (s) => s.close());
}

function source(...args: Parameters<typeof createModbusSource>): ModbusSource {
  return track.add(createModbusSource(...args), (s) => s.stop());
}

/** Sends the context's logs to a list of their messages. */
function captureLogs(t: ReturnType<typeof createTestContext>): string[] {
  const messages: string[] = [];
  (t.ctx as { logger: unknown }).logger = pino({ level: 'info' }, { write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg) });
  return messages;
}

const fixtures = fileURLToPath(new URL('./fixtures/decode/', import.meta.url));

describe('Modbus TCP against modbus-serial ServerTCP', () => {
  it.each(['abcd-all-types', 'badc-all-types', 'cdab-all-types', 'dcba-all-types'])('reads every type of %s over the wire', async (name) => {
    const { holding } = JSON.parse(readFileSync(`${fixtures}${name}/registers.json`, 'utf8')) as { holding: number[] };
    const srv = await server({ holding: new Map(holding.map((w, i) => [i, w])) });
    const t = createTestContext();
    const src = source(fixtureSection(`${fixtures}${name}/map.yaml`, srv.url), t.ctx);
    await src.once();
    const expected = JSON.parse(readFileSync(`${fixtures}${name}/expected.json`, 'utf8')) as { points: { timestamp: number }[] };
    // The same points the fixture expects, stamped at receipt instead of the fixture's fixed time.
    expect(t.points.map((p) => ({ ...p, timestamp: 0 }))).toEqual(expected.points.map((p) => ({ ...p, timestamp: 0 })));
    for (const p of t.points) {
      expect(p.tags).toEqual({ device: 'fx' });
      expect(p.class).toBe(typeof p.value === 'number' ? 'metric' : 'event');
      expect(p.timestamp).toBeGreaterThan(1e12);
    }
    expect(t.states.at(-1)).toEqual({ channel: 'fx', state: 'connected' });
    expect(await t.metric('fieldbridge_source_connected', { channel: 'fx' })).toBe(1);
    expect(await t.metric('fieldbridge_source_points_total', { channel: 'fx' })).toBe(expected.points.length);
  });

  it('coalesces reads: the server sees the planned requests, not one per point', async () => {
    const srv = await server({ holding: new Map(Array.from({ length: 300 }, (_, i) => [i, i])) });
    // 60 float32 points every 4 registers over holding 0-237 (gaps of 2), plus a far one at 290.
    const points = Array.from({ length: 60 }, (_, i) => ({ metric: `p${i}`, table: 'holding', address: i * 4, type: 'float32' }));
    points.push({ metric: 'far', table: 'holding', address: 290, type: 'float32' });
    const t = createTestContext();
    const src = source(oneDevice(srv.url, points, { max_gap: 2 }), t.ctx);
    await src.once();
    expect(srv.seen.map((r) => [r.address, r.count])).toEqual([
      [0, 122],
      [124, 114],
      [290, 2],
    ]);
    expect(t.points).toHaveLength(61);
    expect(await t.metric('fieldbridge_modbus_requests_total', { device: 'plc', table: 'holding' })).toBe(3);

    // The naive way, for comparison: one request per point.
    srv.seen.length = 0;
    const naive = createTestContext();
    await source(oneDevice(srv.url, points, { max_gap: 2 }), naive.ctx, { planning: 'one-per-point' }).once();
    expect(srv.seen).toHaveLength(61);
    expect(naive.points.map((p) => p.value)).toEqual(t.points.map((p) => p.value));
  });

  it('keeps the other points flowing when one address answers ILLEGAL DATA ADDRESS, and reports it once', async () => {
    const srv = await server({ holding: new Map([[0, 10], [1, 11], [5, 15], [6, 16], [9, 19]]), illegal: new Set(['holding:5']) });
    const t = createTestContext();
    const points = [0, 1, 5, 6, 9].map((address) => ({ metric: `r${address}`, table: 'holding', address }));
    const src = source(oneDevice(srv.url, points), t.ctx);
    await src.once();
    await src.once();
    await src.once();
    expect(t.valuesOf('r0')).toEqual([10, 10, 10]);
    expect(t.valuesOf('r9')).toEqual([19, 19, 19]);
    expect(t.valuesOf('r5')).toEqual([]);
    // The merged read was refused, then halved until only the refused register reads alone.
    expect(srv.seen.slice(0, 5).map((r) => `${r.address}+${r.count}`)).toEqual(['0+10', '0+2', '5+5', '5+1', '6+4']);
    expect(src.devices()[0]?.requests.map((r) => `${r.address}+${r.count}`)).toEqual(['0+2', '5+1', '6+4']);
    const reports = t.problems.filter((p) => p.kind === 'report' && p.key.includes('exception'));
    expect(reports).toHaveLength(3);
    expect(reports.filter((r) => r.logged)).toHaveLength(1);
    expect(reports[0]?.message).toMatch(/holding 5 \(r5\) answered exception 2 ILLEGAL DATA ADDRESS/);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'plc', kind: 'illegal_data_address' })).toBe(5);
    expect(t.states.at(-1)?.state).toBe('connected');
  });

  it('says which table to try when the device has no such table (ILLEGAL FUNCTION)', async () => {
    const srv = await server({ holding: new Map([[0, 10]]), missingTables: new Set(['input']) });
    const t = createTestContext();
    const points = [
      { metric: 'r0', table: 'holding', address: 0 },
      { metric: 'volts', table: 'input', address: 0 },
    ];
    await source(oneDevice(srv.url, points, { retries: 0 }), t.ctx).once();
    expect(t.valuesOf('r0')).toEqual([10]);
    expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.message)).toEqual([
      `device plc (unit 1 on tcp://127.0.0.1:${srv.port}): input 0 (volts) answered exception 1 ILLEGAL FUNCTION; the device has no input registers (function 4): check the point's table in the device's register map (table: holding reads function 3)`,
    ]);
  });

  it('halves a read the device refuses as too long (ILLEGAL DATA VALUE) until it fits, and every point is read in the same cycle', async () => {
    // A meter that reads at most 40 registers at once; the mapping leaves max_registers at 125.
    const srv = await server({ holding: new Map(Array.from({ length: 120 }, (_, i) => [i, i])), maxRegisters: 40 });
    const points = Array.from({ length: 60 }, (_, i) => ({ metric: `p${i}`, table: 'holding', address: i * 2, type: 'uint32' }));
    const t = createTestContext();
    const logs = captureLogs(t);
    const src = source(oneDevice(srv.url, points), t.ctx);
    await src.once();
    // uint32 at 2i holds (2i << 16) | (2i + 1).
    expect(t.points.map((p) => [p.metric, p.value])).toEqual(points.map((p, i) => [p.metric, 2 * i * 65536 + 2 * i + 1]));
    expect(src.devices()[0]?.requests.map((r) => `${r.address}+${r.count}`)).toEqual(['0+30', '30+30', '60+30', '90+30']);
    srv.seen.length = 0;
    await src.once();
    expect(srv.seen.map((r) => r.count)).toEqual([30, 30, 30, 30]);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    expect(logs.find((l) => l.includes('holding 0-119 refused'))).toBe(
      'device plc (unit 1 on tcp://127.0.0.1:' + srv.port + '): holding 0-119 refused with ILLEGAL DATA VALUE; reading it as holding 0-59 and holding 60-119 until the device answers after a silence or its line reconnects (a device that reads fewer registers per request answers so: max_registers in the mapping sizes the reads from the start)',
    );
  });

  it('keeps a request that never answers as one timeout episode while the rest flows', async () => {
    const srv = await server({ holding: new Map([[0, 7]]), silent: new Set(['holding:100']) });
    const t = createTestContext();
    const src = source(oneDevice(srv.url, [
      { metric: 'r0', table: 'holding', address: 0 },
      { metric: 'r100', table: 'holding', address: 100 },
    ], { timeout_ms: 500, retries: 0 }), t.ctx);
    for (let i = 0; i < 3; i++) await src.once();
    expect(t.valuesOf('r0')).toEqual([7, 7, 7]);
    const timeouts = t.problems.filter((p) => p.key === 'modbus.plc.timeout');
    expect(timeouts.map((p) => [p.kind, p.logged])).toEqual([
      ['report', true],
      ['report', false],
      ['report', false],
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'plc', kind: 'timeout' })).toBe(3);
    expect(src.devices()[0]?.state).toBe('connected');
  });

  it('reconnects after the server restarts and the points resume', async () => {
    const bank = { holding: new Map([[0, 1]]) };
    const srv = await server(bank);
    const t = createTestContext();
    const src = source(oneDevice(srv.url, [{ metric: 'v', table: 'holding', address: 0 }], { poll_ms: 20, reconnect: { initial_ms: 20, max_ms: 200 } }), t.ctx);
    await src.start();
    await t.waitFor(() => t.points.length >= 2, 'first points');
    await srv.restart();
    bank.holding.set(0, 2);
    await t.waitFor(() => t.valuesOf('v').includes(2), 'points after the restart');
    const states = t.states.map((s) => s.state);
    expect(states.slice(0, 2)).toEqual(['connecting', 'connected']);
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('connected');
    expect(t.problems.some((p) => p.kind === 'report' && p.key.startsWith('modbus.line.') && /connection lost/.test(p.message ?? ''))).toBe(true);
    expect(t.problems.some((p) => p.kind === 'resolve' && p.key.startsWith('modbus.line.'))).toBe(true);
  });

  it('keeps trying with backoff while nothing listens, then connects', async () => {
    const bank = { holding: new Map([[3, 33]]) };
    const srv = await server(bank);
    await srv.close();
    const t = createTestContext();
    const src = source(oneDevice(srv.url, [{ metric: 'v', table: 'holding', address: 3 }], { poll_ms: 20, reconnect: { initial_ms: 10, max_ms: 50 } }), t.ctx);
    await src.start();
    await t.waitFor(() => t.problems.filter((p) => p.key.startsWith('modbus.line.')).length >= 2, 'two failed connects');
    expect(t.problems.filter((p) => p.key.startsWith('modbus.line.') && p.logged)).toHaveLength(1);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'plc', kind: 'connect' })).toBeGreaterThanOrEqual(2);
    expect(t.points).toEqual([]);
    await srv.restart();
    await t.waitFor(() => t.valuesOf('v').length > 0, 'points once the server is up');
    expect(t.valuesOf('v')[0]).toBe(33);
  });

  it('holds back changes within the deadband and drops non-finite floats with a report', async () => {
    const bank = { holding: new Map([[0, 100], [1, 0x7fc0], [2, 0x0000]]) };
    const srv = await server(bank);
    const t = createTestContext();
    const src = source(oneDevice(srv.url, [
      { metric: 'level', table: 'holding', address: 0, deadband: 5 },
      { metric: 'nan', table: 'holding', address: 1, type: 'float32' },
    ]), t.ctx);
    await src.once();
    bank.holding.set(0, 104);
    await src.once();
    bank.holding.set(0, 105);
    await src.once();
    bank.holding.set(0, 101);
    await src.once();
    expect(t.valuesOf('level')).toEqual([100, 105]);
    expect(t.valuesOf('nan')).toEqual([]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'plc', reason: 'deadband' })).toBe(2);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'plc', kind: 'non_finite' })).toBe(4);
    expect(t.problems.filter((p) => p.key.includes('non_finite')).map((p) => p.logged)).toEqual([true, false, false, false]);
    expect(t.problems.find((p) => p.key.includes('non_finite'))?.message).toMatch(/decoded to NaN .*--probe/);
  });

  it('skips polls while the sink is blocked, counts them, and polls again once it opens', async () => {
    const srv = await server({ holding: new Map([[0, 4]]) });
    const t = createTestContext({ blocked: true });
    const src = source(oneDevice(srv.url, [{ metric: 'v', table: 'holding', address: 0 }]), t.ctx);
    await src.once();
    await src.once();
    expect(srv.seen).toEqual([]);
    expect(t.points).toEqual([]);
    expect(await t.metric('fieldbridge_polls_skipped_total', { channel: 'plc' })).toBe(2);
    t.setBlocked(false);
    await src.once();
    expect(t.valuesOf('v')).toEqual([4]);
    expect(srv.seen).toHaveLength(1);
  });
});
