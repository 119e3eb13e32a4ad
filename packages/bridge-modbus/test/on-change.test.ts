import { describe, expect, it } from 'vitest';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';

const track = trackCleanups();
const source = (...args: Parameters<typeof createModbusSource>): ModbusSource => track.add(createModbusSource(...args), (s) => s.stop());

describe('on_change and max_interval, against pymodbus', () => {
  it('sends a coil, a string and a register only when they change, and a steady one again once max_interval has passed', async () => {
    const py = track.add(await startPyModbus('tcp'), (p) => p.close());
    const points = [
      { metric: 'pump', table: 'coil', address: 0, on_change: true },
      { metric: 'name', table: 'holding', address: 200, type: 'string', length: 5, on_change: true },
      { metric: 'id', table: 'holding', address: 211, on_change: true, max_interval: '1s' },
      // Sent every poll: counts the polls.
      { metric: 'status', table: 'holding', address: 210 },
    ];
    const t = createTestContext();
    await source(section({ devices: [{ name: 'py', connection: `tcp://127.0.0.1:${py.port}`, poll_ms: 20, points }] }), t.ctx).start();
    await t.waitFor(() => t.valuesOf('id').length >= 2, 'the steady register sent again after max_interval');
    expect(t.valuesOf('pump')).toEqual([true]);
    expect(t.valuesOf('name')).toEqual(['PYMODBUS-1']);
    const [first, second] = t.points.filter((p) => p.metric === 'id').map((p) => p.timestamp as number);
    expect(second! - first!).toBeGreaterThanOrEqual(990);
    expect(t.valuesOf('status').length).toBeGreaterThan(2);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'py', reason: 'unchanged' })).toBeGreaterThan(2);
  });
});
