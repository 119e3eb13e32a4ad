import { describe, expect, it } from 'vitest';
import { createTestContext, startSerialPair, trackCleanups } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';
import { startSerialOverTcp } from './helpers/serial-over-tcp.js';
import { startSlowRtuDevice } from './helpers/slow-rtu-device.js';

const track = trackCleanups();

/** Holding N holds 1000 + N, so a uint32 at N reads (1000 + N) * 65536 + 1001 + N. */
const expected = (address: number): number => (1000 + address) * 65536 + 1001 + address;

// Three reads of the same length: an RTU answer names only the unit and the function, so a late
// answer to one of them looks like the answer to the next.
const points = [0, 50, 100].map((address) => ({ metric: `r${address}`, table: 'holding', address, type: 'uint32' }));

describe('a device that answers after timeout_ms, on an RTU-framed line', () => {
  it.each([
    ['a serial line (socat pair)', 'rtu'],
    ['RTU over TCP (socat as a serial-to-Ethernet converter)', 'rtu+tcp'],
  ] as const)('%s: no value lands on another point, and the problem says how late it answered', async (_, kind) => {
    const dir = await track.tempDir('fieldbridge-late-');
    let connection: string;
    let path: string;
    if (kind === 'rtu') {
      const pair = track.add(await startSerialPair({ dir }), (p) => p.close());
      connection = `rtu://${pair.a}?baud=9600`;
      path = pair.b;
    } else {
      const converter = track.add(await startSerialOverTcp(dir), (c) => c.close());
      connection = `rtu+tcp://127.0.0.1:${converter.port}`;
      path = converter.path;
    }
    const device = track.add(await startSlowRtuDevice(path), (d) => d.close());
    // Answers 50 ms past the timeout, so well within the line's wait for them (timeout_ms again):
    // an answer later than that is not guarded against (README), and on a busy machine a thin
    // margin let one through.
    device.delayMs = 1050;
    const t = createTestContext();
    const config = section({ devices: [{ name: 'vfd', connection, timeout_ms: 1000, retries: 0, poll_ms: 50, max_gap: 0, points }] });
    track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop()).start();
    // Four slow answers: each comes while the next read would be waiting.
    await t.waitFor(() => device.asked >= 4, 'four slow reads');
    device.delayMs = 0;
    await t.waitFor(() => points.every((p) => t.valuesOf(p.metric).length >= 3), 'three values of every point once the device is quick again');
    for (const p of points) expect(new Set(t.valuesOf(p.metric)), p.metric).toEqual(new Set([expected(p.address)]));
    const timeouts = t.problems.filter((x) => x.key === 'modbus.vfd.timeout' && x.kind === 'report');
    expect(timeouts[0]?.message).toMatch(/did not answer holding \d+-\d+ within 1000 ms \(1 try\); it answered after \d+ ms, too late to be used \(that answer was dropped\): raise timeout_ms above \d+ ms$/);
  });
});
