import { describe, expect, it } from 'vitest';
import { createTestContext, trackCleanups, until } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';

const track = trackCleanups();

/**
 * Units 1 and 9 on one pymodbus line (`tcp`: 1-3 served, 9 never answers; `gateway`: 9 gets
 * exception 11), polled every 20 ms; unit 9 reads three tables. Resolves once unit 9 was asked
 * four times after its first cycle, with what it was asked per table, in its requests' order.
 */
async function silentUnit(mode: 'tcp' | 'gateway', u9: { timeout_ms?: number }) {
  const py = track.add(await startPyModbus(mode), (p) => p.close());
  const url = `tcp://127.0.0.1:${py.port}`;
  const points = [
    { metric: 'u9.id', table: 'holding', address: 211 },
    { metric: 'u9.in', table: 'input', address: 0 },
    { metric: 'u9.relay', table: 'coil', address: 0 },
  ];
  const config = section({
    devices: [
      { name: 'u1', connection: url, unit_id: 1, poll_ms: 20, points: [{ metric: 'u1.id', table: 'holding', address: 211 }] },
      { name: 'u9', connection: url, unit_id: 9, poll_ms: 20, retries: 2, ...u9, points },
    ],
  });
  const t = createTestContext();
  const src = track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop());
  await src.start();
  const requests = async () => Object.fromEntries(await Promise.all(['holding', 'input', 'coil'].map(async (table) => [table, await t.metric('fieldbridge_modbus_requests_total', { device: 'u9', table })] as const)));
  // The first silent cycle asks everything, with its retries: 3 tries of each request.
  await until(async () => Object.values(await requests()).reduce((a, b) => a + b, 0) >= 9 + 4, 'four tries of the silent unit after its first cycle');
  const asked = await requests();
  const tables = src.devices()[1]!.requests.map((r) => r.table);
  return { url, t, src, asked: tables.map((table) => asked[table]!) };
}

describe('a silent device on a shared line, against pymodbus', () => {
  it('is asked with its first request alone, one try, while the unit beside it is read every poll', async () => {
    const { url, t, asked } = await silentUnit('tcp', { timeout_ms: 100 });
    const [first, ...rest] = asked;
    expect(rest).toEqual([3, 3]);
    expect(first).toBeGreaterThanOrEqual(3 + 4);
    expect(t.problems.find((p) => p.key === 'modbus.u9.silent')?.message).toBe(
      `device u9 (unit 9 on ${url}) answers nothing: asked with one request, one try, at waits doubling up to 30 s until it answers, so that it does not hold up its line`,
    );
    // Its neighbour on the line went on: read at its poll, not held up for 900 ms a cycle.
    expect(t.valuesOf('u1.id').length).toBeGreaterThan(10);
  });

  it('behind a gateway that answers exception 11 for it is not connected, and is asked as a silent one, the gateway not dropped', async () => {
    const { url, t, src, asked } = await silentUnit('gateway', {});
    const [first, ...rest] = asked;
    // Its first cycle asks everything with its retries; then its first request alone, one try.
    expect(rest).toEqual([3, 3]);
    expect(first).toBeGreaterThanOrEqual(3 + 4);
    // Not connected: /readyz must not call a device that gave nothing ready.
    expect(src.devices()[1]!.state).not.toBe('connected');
    expect(src.devices()[0]!.state).toBe('connected');
    expect(t.problems.find((p) => p.key === 'modbus.u9.silent')?.kind).toBe('report');
    expect(t.problems.find((p) => p.key === 'modbus.u9.exception.coil 0')?.message).toBe(
      `device u9 (unit 9 on ${url}): coil 0 (u9.relay) answered exception 11 GATEWAY TARGET DEVICE FAILED TO RESPOND; the gateway is there but no device answered it at unit 9: check the device is powered and wired (A/B, termination), the gateway's serial settings, and unit_id 9 (bridge-modbus --scan-units --device u9 lists the unit ids that answer)`,
    );
    // The gateway answered every time: its connection was never dropped as dead.
    expect(t.problems.some((p) => p.key.startsWith('modbus.line.') && p.kind === 'report')).toBe(false);
    expect(t.valuesOf('u1.id').length).toBeGreaterThan(10);
  });
});
