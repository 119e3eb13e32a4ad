import { describe, expect, it } from 'vitest';
import { createTestContext, trackCleanups, until } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startPyModbus, type PyBusyRequest, type PyBusySpec } from './helpers/pymodbus.js';

const track = trackCleanups();

async function busyServer(busy: PyBusySpec) {
  const py = track.add(await startPyModbus('tcp', undefined, { busy }), (p) => p.close());
  return { py, url: `tcp://127.0.0.1:${py.port}`, of: (unit: number): PyBusyRequest[] => py.busyRequests.filter((r) => r.unit === unit) };
}

/** The gaps between requests as the server saw them arrive, in ms. */
const gaps = (requests: PyBusyRequest[]): number[] => requests.slice(1).map((r, i) => r.t - requests[i]!.t);

describe('a device that answers busy, against pymodbus', () => {
  it.each([
    [6, 'SERVER DEVICE BUSY', 'server_device_busy'],
    [5, 'ACKNOWLEDGE', 'acknowledge'],
  ] as const)('answering exception %i (%s) is asked again after busy_retries_wait, not at once, and its value is read', async (code, _, kind) => {
    // The first 3 reads of unit 2 are answered busy; the 4th is answered.
    const { url, of } = await busyServer({ 2: [code, 3] });
    const config = section({
      devices: [{ name: 'u2', connection: url, unit_id: 2, busy_retries: 3, busy_retries_wait: '150ms', points: [{ metric: 'u2.id', table: 'holding', address: 211 }] }],
    });
    const t = createTestContext();
    await track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop()).once();
    expect(t.valuesOf('u2.id')).toEqual([200]);
    expect(of(2).map((r) => r.exception)).toEqual([code, code, code, null]);
    // Spaced by the wait at least, as the server's clock measures it.
    for (const gap of gaps(of(2))) expect(gap).toBeGreaterThanOrEqual(150);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'u2', kind })).toBe(3);
    expect(await t.metric('fieldbridge_modbus_busy_reads_total', { device: 'u2', table: 'holding' })).toBe(0);
    // Read within its tries: nothing to tell anyone.
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
  });

  it('gives a read up for the poll after its tries and asks it again at the next; a device busy for ever is said once, and its line serves the others', async () => {
    // Unit 1 is never busy (logged for the order on its line); unit 2 answers busy to the first 5
    // requests of each read; unit 3 to every request.
    const { url, of } = await busyServer({ 1: [6, 0], 2: [6, 5], 3: [6, null] });
    const busyKeys = { busy_retries: 2, busy_retries_wait: 100, poll_ms: 50 };
    const config = section({
      devices: [
        { name: 'u1', connection: url, unit_id: 1, poll_ms: 20, points: [{ metric: 'u1.id', table: 'holding', address: 211 }] },
        {
          name: 'u2', connection: url, unit_id: 2, ...busyKeys,
          points: [{ metric: 'u2.id', table: 'holding', address: 211 }, { metric: 'u2.speed', table: 'input', address: 4, type: 'float32', byte_order: 'CDAB' }],
        },
        { name: 'u3', connection: url, unit_id: 3, ...busyKeys, points: [{ metric: 'u3.id', table: 'holding', address: 211 }] },
      ],
    });
    const t = createTestContext();
    const src = track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop());
    await src.start();
    await t.waitFor(() => t.valuesOf('u2.id').length > 0, 'the busy device read after all');
    await until(async () => (await t.metric('fieldbridge_modbus_busy_reads_total', { device: 'u3', table: 'holding' })) >= 4, 'four polls of u3 given up');

    // Unit 2 reads its input register first. Poll 1: input busy 3 times (1 + busy_retries 2), given
    // up; holding then asked once, the device busy this poll. Poll 2: input answered at its 6th
    // request; holding busy 3 times. Poll 3: holding answered at its 6th. No value lost that the device gave.
    expect(src.devices()[1]!.requests.map((r) => r.table)).toEqual(['input', 'holding']);
    const u2 = of(2).slice(0, 13).map((r) => `${r.function === 3 ? 'holding' : 'input'} ${r.exception ?? 'ok'}`);
    expect(u2).toEqual([
      'input 6', 'input 6', 'input 6', 'holding 6',
      'input 6', 'input 6', 'input ok', 'holding 6', 'holding 6', 'holding 6',
      'input ok', 'holding 6', 'holding ok',
    ]);
    expect(t.valuesOf('u2.id')[0]).toBe(200);
    expect(t.valuesOf('u2.speed')[0]).toBe(1450.5);
    expect(await t.metric('fieldbridge_modbus_busy_reads_total', { device: 'u2', table: 'input' })).toBe(1);
    expect(await t.metric('fieldbridge_modbus_busy_reads_total', { device: 'u2', table: 'holding' })).toBe(2);
    // Retried busy reads were spaced by the wait; a new poll may come sooner.
    const retried = of(3).slice(0, 9);
    for (const poll of [0, 3, 6]) for (const gap of gaps(retried.slice(poll, poll + 3))) expect(gap).toBeGreaterThanOrEqual(100);

    // Unit 3 is busy for ever: said once, counted every poll, still a device that answers.
    const label = `device u3 (unit 3 on ${url})`;
    const u3Reports = t.problems.filter((p) => p.key === 'modbus.u3.busy' && p.kind === 'report');
    expect(u3Reports.length).toBeGreaterThanOrEqual(4);
    expect(u3Reports.filter((p) => p.logged).map((p) => p.message)).toEqual([
      `${label} is busy: holding 211 (u3.id) answered exception 6 SERVER DEVICE BUSY to 3 tries 100 ms apart; asked again at the next poll; while it is, each poll asks a read busy_retries 2 more times 100 ms apart (busy_retries_wait), the other reads of that poll once`,
    ]);
    expect(t.problems.some((p) => p.key === 'modbus.u3.busy' && p.kind === 'resolve')).toBe(false);
    expect(src.devices().map((d) => [d.name, d.state])).toEqual([['u1', 'connected'], ['u2', 'connected'], ['u3', 'connected']]);
    // Unit 2's episode ends with the poll that read everything.
    await t.waitFor(() => t.problems.some((p) => p.key === 'modbus.u2.busy' && p.kind === 'resolve'), 'the end of the busy episode of u2');
    expect(t.problems.filter((p) => p.key === 'modbus.u2.busy' && p.kind === 'report').map((p) => p.logged)).toEqual([true, false, false]);
    expect(t.problems.find((p) => p.key === 'modbus.u2.busy' && p.kind === 'resolve')?.message).toBe(`device u2 (unit 2 on ${url}) is no longer busy: its reads are answered again`);

    // The waits do not hold the line: unit 1 is read between two tries of unit 3.
    await until(() => {
      const tries = of(3);
      return tries.slice(1).some((r, i) => r.t - tries[i]!.t >= 100 && of(1).some((u) => u.t > tries[i]!.t && u.t < r.t));
    }, 'unit 1 read while unit 3 waits');
    expect(t.valuesOf('u1.id').length).toBeGreaterThan(0);
  });
});
