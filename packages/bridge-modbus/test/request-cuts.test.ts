import { describe, expect, it } from 'vitest';
import { createTestContext, trackCleanups, until } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';
import { startServerTcp } from './helpers/server-tcp.js';

const track = trackCleanups();
const plan = (src: ModbusSource, device = 0): string[] => src.devices()[device]!.requests.map((r) => `${r.address}+${r.count}`);

describe('reads cut after a refusal', () => {
  it('are read merged again once the line reconnects to a device that maps more registers (a replaced device, against pymodbus)', async () => {
    // pymodbus holds 400 registers: the merged read of 398-400 is refused and cut.
    const old = await startPyModbus('tcp');
    track.add(old, (p) => p.close());
    const url = `tcp://127.0.0.1:${old.port}`;
    const points = [398, 399, 400].map((address) => ({ metric: `r${address}`, table: 'holding', address }));
    const config = section({ devices: [{ name: 'meter', connection: url, poll_ms: 20, retries: 0, reconnect: { initial_ms: 10, max_ms: 50 }, points }] });
    const t = createTestContext();
    const src = track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop());
    await src.start();
    await until(() => plan(src).join() === '398+1,399+1,400+1', 'the merged read cut down to single registers');
    expect(t.valuesOf('r400')).toEqual([]);

    // The device is replaced, at the same address, by one that maps 410 registers.
    await old.close();
    track.add(await startPyModbus('tcp', undefined, { port: old.port!, registers: 410 }), (p) => p.close());
    await until(() => plan(src).join() === '398+3', 'the mapping\'s merged read back');
    await t.waitFor(() => t.valuesOf('r400').length > 0, 'register 400 read from the new device');
    expect(t.logs.messages('info')).toContain(
      `device meter (unit 1 on ${url}): its line reconnected: reading holding 398-400 in one request again, as the mapping plans, not in the parts it was cut into when refused (cut again if still refused)`,
    );
  });

  it('are read merged again when a silent device answers again, and cut again where it still refuses', async () => {
    // Holding 1 is unmapped: the merged read 0-2 is cut into 0, 1 and 2.
    const bank = { holding: new Map([[0, 10], [2, 12], [100, 7]]), illegal: new Set(['holding:1']), silent: new Set<string>() };
    const server = track.add(await startServerTcp(bank), (s) => s.close());
    const points = [0, 1, 2].map((address) => ({ metric: `r${address}`, table: 'holding', address }));
    const config = section({
      devices: [
        // A unit beside it keeps answering, so the line is not reopened: only the silence tells.
        { name: 'other', connection: server.url, unit_id: 1, poll_ms: 20, points: [{ metric: 'other', table: 'holding', address: 100 }] },
        { name: 'meter', connection: server.url, unit_id: 2, poll_ms: 20, timeout_ms: 100, retries: 0, points },
      ],
    });
    const t = createTestContext();
    const src = track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop());
    await src.start();
    await until(() => plan(src, 1).join() === '0+1,1+1,2+1', 'the merged read cut');

    // The device goes quiet (switched off), and comes back with holding 1 still unmapped.
    for (const a of [0, 1, 2]) bank.silent.add(`holding:${a}`);
    bank.illegal.clear();
    await t.waitFor(() => t.problems.some((p) => p.key === 'modbus.meter.silent' && p.kind === 'report'), 'the device silent');
    const before = server.seen.filter((r) => r.unit === 2 && r.count === 3).length;
    bank.illegal.add('holding:1');
    bank.silent.clear();
    await t.waitFor(() => t.problems.some((p) => p.key === 'modbus.meter.silent' && p.kind === 'resolve'), 'the device answering again');
    // The mapping's read is asked once more, refused, and cut again: its values flow as before.
    await until(() => server.seen.filter((r) => r.unit === 2 && r.count === 3).length > before, 'the merged read asked again');
    await until(() => plan(src, 1).join() === '0+1,1+1,2+1', 'the read cut again');
    const served = t.valuesOf('r2').length;
    await t.waitFor(() => t.valuesOf('r2').length > served, 'holding 2 read after the device came back');
    expect(t.valuesOf('r0').at(-1)).toBe(10);
    expect(t.logs.messages('info').filter((m) => m.includes('answers again after a silence: reading holding 0-2 in one request again'))).toHaveLength(1);
  });
});
