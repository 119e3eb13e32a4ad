import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createModbusSource } from '../src/source.js';
import { startModbusSimulator } from '../src/simulator.js';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { section } from './helpers/mapping.js';

const track = trackCleanups();

const example = fileURLToPath(new URL('../../../examples/modbus/map.yaml', import.meta.url));

describe('the simulator and examples/modbus/map.yaml', () => {
  it('serves every point of the example mapping with sane values', async () => {
    let now = 1_700_000_000_000;
    const sim = track.add(await startModbusSimulator({ port: 0, now: () => now }), (s) => s.close());
    const file = parse(readFileSync(example, 'utf8')) as { modbus: { devices: { connection: string }[] } };
    for (const device of file.modbus.devices) device.connection = sim.url;
    const config = section(file.modbus);
    const t = createTestContext();
    const src = track.add(createModbusSource(config, t.ctx), (s) => s.stop());
    await src.once();
    const mapped = config.devices.flatMap((d) => d.points).length;
    expect(t.points).toHaveLength(mapped);
    const value = (suffix: string): unknown => t.points.find((p) => p.metric.endsWith(suffix))?.value;
    expect(value('tank.level')).toBeCloseTo(60, 5);
    expect(value('flow')).toBeCloseTo(12.5, 5);
    expect(value('pressure')).toBeCloseTo(4.2, 5);
    expect(value('serial')).toBe('FB-SIM-01');
    expect(value('energy')).toBe(100_000);
    expect(value('motor.running')).toBe(true);
    now += 7_500;
    await src.once();
    expect(t.points.filter((p) => p.metric.endsWith('flow')).map((p) => p.value)).not.toEqual([12.5, 12.5]);
    expect(sim.requests().holding).toBeGreaterThanOrEqual(2);
  });
});
