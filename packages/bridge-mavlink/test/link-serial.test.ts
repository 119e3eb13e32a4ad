import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, loadDialect, openLink, type Dialect } from '../src/index.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { nmFrame, nmGlobalPosition, nmHeartbeat } from './helpers/node-mavlink.js';
import { startSerialPair, type SerialPair } from '@fieldbridge/core/testing';

const track = cleanups();
let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

async function pair(options?: { dir?: string }): Promise<SerialPair> {
  const p = await startSerialPair(options);
  track(() => p.close());
  return p;
}

/** The vehicle's end of the pair, opened with serialport like a flight controller's USB port. */
async function vehicleEnd(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => undefined);
  track(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return port;
}

const write = (port: SerialPort, bytes: Uint8Array): Promise<void> =>
  new Promise((resolve, reject) => port.write(Buffer.from(bytes), (err) => (err ? reject(err) : port.drain(() => resolve()))));

const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

describe('serial link over a socat pty pair', () => {
  it('reads frames of several systems written at the other end, and writes back', async () => {
    const p = await pair();
    const vehicle = await vehicleEnd(p.b);
    const link = openLink(`serial://${p.a}?baud=57600`);
    track(() => link.close());
    const got = collect(createMavlinkReader({ dialect }));
    await link.start(got.handlers);
    expect(got.states[0]).toEqual({ state: 'open' });
    await write(vehicle, Buffer.concat([
      nmFrame(nmHeartbeat(), { sysid: 1 }),
      Buffer.from([0x00, 0xfe, 0xfe]),
      nmFrame(nmGlobalPosition(1000), { sysid: 1, seq: 1 }),
      encodeV1('HEARTBEAT', { ...hb, type: 10, custom_mode: 4 }, { sysid: 2 }),
      encodeV2('ATTITUDE', { time_boot_ms: 50, roll: -0.5 }, { sysid: 2, seq: 1 }),
    ]));
    await got.until(() => got.messages.length === 4, 'four messages over the pty');
    expect(got.messages.map((m) => `${m.sysid}:${m.name}`)).toEqual(['1:HEARTBEAT', '1:GLOBAL_POSITION_INT', '2:HEARTBEAT', '2:ATTITUDE']);
    expect(got.messages[2]!.fields.find((f) => f.name === 'flight_mode')?.value).toBe('HOLD');
    expect(got.chunks.every((c) => c.peer === `serial:${p.a}` && !c.datagram)).toBe(true);

    const heard: Buffer[] = [];
    vehicle.on('data', (b: Buffer) => heard.push(b));
    const gcs = encodeV2('HEARTBEAT', { type: 6, autopilot: 8 }, { sysid: 255 });
    expect(await link.send(gcs)).toBe(1);
    await new Promise<void>((resolve, reject) => {
      // The deadline only turns a silent pair into a message saying what came through.
      const deadline = setTimeout(() => {
        vehicle.off('data', check);
        reject(new Error(`the vehicle's end heard ${Buffer.concat(heard).length} of ${gcs.length} bytes within 15 s`));
      }, 15_000);
      function check(): void {
        if (Buffer.concat(heard).length < gcs.length) return void vehicle.once('data', check);
        clearTimeout(deadline);
        resolve();
      }
      check();
    });
    expect(Buffer.concat(heard)).toEqual(gcs);
  });

  it('reopens the port after it disappears (an unplugged adapter) and reads again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fieldbridge-mavlink-replug-'));
    track(() => rm(dir, { recursive: true, force: true }));
    const first = await startSerialPair({ dir });
    const vehicle1 = await vehicleEnd(first.b);
    const link = openLink(`serial://${first.a}`, { reconnect: { initialMs: 20, maxMs: 100 } });
    track(() => link.close());
    const got = collect(createMavlinkReader({ dialect }));
    await link.start(got.handlers);
    await write(vehicle1, encodeV2('HEARTBEAT', hb, { seq: 0 }));
    await got.until(() => got.messages.length === 1, 'a heartbeat before the unplug');
    await new Promise<void>((resolve) => vehicle1.close(() => resolve()));
    await first.close();
    await got.until(() => got.states.some((s) => s.state === 'reconnecting'), 'the link to notice');
    const second = await pair({ dir });
    const vehicle2 = await vehicleEnd(second.b);
    await got.until(() => got.states.at(-1)?.state === 'open', 'the port to reopen', 15_000);
    await write(vehicle2, encodeV2('HEARTBEAT', hb, { seq: 1 }));
    await got.until(() => got.messages.length === 2, 'a heartbeat after the replug');
    expect(got.messages.map((m) => m.seq)).toEqual([0, 1]);
  });
});
