import { describe, expect, it } from 'vitest';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { pyExpected, pyMetric, pyPointEntry } from './helpers/expect-points.js';
import { section } from './helpers/mapping.js';
import { startPyModbus, type PyModbusServer } from './helpers/pymodbus.js';

const track = trackCleanups();
const source = (...args: Parameters<typeof createModbusSource>): ModbusSource => track.add(createModbusSource(...args), (s) => s.stop());
const pymodbus = async (mode: 'tcp' | 'rtu-over-tcp'): Promise<PyModbusServer> => track.add(await startPyModbus(mode), (py) => py.close());

describe('against pymodbus 3.0 (an independent implementation)', () => {
  it.each([
    ['Modbus TCP', 'tcp', 'tcp'],
    ['RTU over TCP', 'rtu-over-tcp', 'rtu+tcp'],
  ] as const)('%s: every type and byte order decodes to what pymodbus encoded', async (_, mode, scheme) => {
    const py = await pymodbus(mode);
    const t = createTestContext();
    const config = section({ devices: [{ name: 'py', connection: `${scheme}://127.0.0.1:${py.port}`, points: py.points.map(pyPointEntry) }] });
    await source(config, t.ctx).once();
    const got = Object.fromEntries(t.points.map((p) => [p.metric, p.value]));
    const want = Object.fromEntries(py.points.map((p) => [pyMetric(p), pyExpected(p)]));
    expect(got).toEqual(want);
    // 4 orders x 8 types, float16 and bcd32 under each order, bcd16 under two, and every table.
    const holding = py.points.filter((p) => p.table === 'holding' && p.byte_order !== undefined && p.type !== 'bit' && p.type !== 'bitfield');
    expect(new Set(holding.map((p) => `${p.type}/${p.byte_order}`)).size).toBe(43);
    // Parts of registers: both bytes of a register as int8 and uint8, and bit fields.
    expect(py.points.filter((p) => p.byte !== undefined).map((p) => `${p.address}.${p.type}${p.byte}`)).toEqual(['212.int8high', '212.uint8low', '213.uint8high', '213.int8low']);
    expect(py.points.filter((p) => p.type === 'bitfield')).toHaveLength(4);
  });

  it('says what to check when a point names a register or coil the device does not have (ILLEGAL DATA ADDRESS)', async () => {
    const py = await pymodbus('tcp');
    const points = [
      { metric: 'id', table: 'holding', address: 211 },
      // pymodbus holds 400 registers and 16 coils.
      { metric: 'past', table: 'holding', address: 400, type: 'float32' },
      { metric: 'relay', table: 'coil', address: 20 },
    ];
    const url = `tcp://127.0.0.1:${py.port}`;
    const config = section({ devices: [{ name: 'meter', connection: url, retries: 0, points }] });
    const t = createTestContext();
    await source(config, t.ctx).once();
    expect(t.valuesOf('id')).toEqual([100]);
    const label = `device meter (unit 1 on tcp://127.0.0.1:${py.port})`;
    expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.message)).toEqual([
      `${label}: coil 20 (relay) answered exception 2 ILLEGAL DATA ADDRESS; the device has no coil 20: check the address in its register map, address: 19 if its register map counts from 1, or table: discrete`,
      `${label}: holding 400-401 (past) answered exception 2 ILLEGAL DATA ADDRESS; the device has no holding registers 400-401: check the address in its register map, address: 399 if its register map counts from 1, or table: input; bridge-modbus --probe holding:400+2 --device meter reads it alone`,
    ]);
    // A device that gave no value: --once names it once, then what it answered.
    const alone = section({ devices: [{ name: 'ghost', connection: url, retries: 0, points: [{ metric: 'ghost', table: 'holding', address: 500 }] }] });
    const error = await source(alone, createTestContext().ctx).once().then(() => undefined, (err: unknown) => err as Error);
    expect(error?.message).toBe('one poll cycle could not read every device: device ghost: holding 500 (ghost) answered exception 2 ILLEGAL DATA ADDRESS; the device has no holding register 500: check the address in its register map, address: 499 if its register map counts from 1, or table: input; bridge-modbus --probe holding:500+1 --device ghost reads it alone');
  });

  it('reads units 1-3 on one connection while a missing unit times out, and splits a read that runs off the map', async () => {
    const py = await pymodbus('tcp');
    const url = `tcp://127.0.0.1:${py.port}`;
    const points = [
      { metric: '{device}.id', table: 'holding', address: 211 },
      { metric: '{device}.name', table: 'holding', address: 200, type: 'string', length: 5 },
      // pymodbus holds 400 registers: one merged read of 398-400 is refused, 398 and 399 still flow.
      { metric: '{device}.r398', table: 'holding', address: 398 },
      { metric: '{device}.r399', table: 'holding', address: 399 },
      { metric: '{device}.r400', table: 'holding', address: 400 },
    ];
    const config = section({
      devices: [1, 2, 3, 9].map((unit) => ({ name: `u${unit}`, connection: url, unit_id: unit, timeout_ms: 300, retries: 0, points })),
    });
    const t = createTestContext();
    const src = source(config, t.ctx);
    const error = await src.once().then(() => undefined, (err: unknown) => err as Error);
    expect(error?.message).toMatch(/device u9: .*no answer/);
    // A unit that never answered is most often asked at the wrong id: the scan that lists them is named.
    expect(t.problems.find((p) => p.key === 'modbus.u9.timeout')?.message).toBe(
      `device u9 (unit 9 on ${url}) did not answer holding 200-211 within 300 ms (1 try); it has not answered since the start: check unit_id 9 (bridge-modbus --scan-units --device u9 lists the unit ids that answer)`,
    );
    for (const unit of [1, 2, 3]) {
      expect(t.valuesOf(`u${unit}.id`)).toEqual([unit * 100]);
      expect(t.valuesOf(`u${unit}.name`)).toEqual([`PYMODBUS-${unit}`]);
      expect(t.valuesOf(`u${unit}.r398`)).toEqual([0]);
      expect(t.valuesOf(`u${unit}.r399`)).toEqual([0]);
      expect(t.valuesOf(`u${unit}.r400`)).toEqual([]);
    }
    expect(t.points.filter((p) => p.tags?.device === 'u9')).toEqual([]);
    // Refused three times: holding 398-400, then its half 399-400, then 400 alone.
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'u2', kind: 'illegal_data_address' })).toBe(3);
    expect(src.devices()[1]?.requests.map((r) => `${r.address}+${r.count}`)).toEqual(['200+12', '398+1', '399+1', '400+1']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'u9', kind: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(src.devices().map((d) => [d.name, d.state])).toEqual([
      ['u1', 'connected'],
      ['u2', 'connected'],
      ['u3', 'connected'],
      ['u9', 'connecting'],
    ]);
  });
});
