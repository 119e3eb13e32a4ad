import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { signingKey } from '../src/signing.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmGlobalPosition, nmHeartbeat, nmHeartbeatOf, nmParse } from './helpers/node-mavlink.js';
import { startSerialPair } from '@fieldbridge/core/testing';
import { startTcpVehicle } from './helpers/tcp-vehicle.js';
import { prng } from './helpers/random.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** The vehicle's end of a socat pair, opened with serialport like a flight controller's USB port. */
async function vehicleEnd(path: string): Promise<{ port: SerialPort; heard: Buffer[]; write(bytes: Uint8Array): Promise<void>; heardAtLeast(n: number): Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => undefined);
  track.defer(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  const heard: Buffer[] = [];
  port.on('data', (b: Buffer) => heard.push(b));
  return {
    port,
    heard,
    // The deadline only turns a silent pair into a message saying what came through.
    heardAtLeast: (n) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          port.off('data', check);
          reject(new Error(`the vehicle's end heard ${Buffer.concat(heard).length} of ${n} bytes within 15 s`));
        }, 15_000);
        function check(): void {
          if (Buffer.concat(heard).length < n) return void port.once('data', check);
          clearTimeout(deadline);
          resolve();
        }
        check();
      }),
    write: (bytes) => new Promise((resolve, reject) => port.write(Buffer.from(bytes), (err) => (err ? reject(err) : port.drain(() => resolve())))),
  };
}

describe('serial, over a socat pty pair (a telemetry radio)', () => {
  it('reads two vehicles written at the other end with noise between, sends heartbeats back, and reopens the port after an unplug', async () => {
    const dir = await track.tempDir('bridge-mavlink-serial-');
    const first = track.add(await startSerialPair({ dir }), (p) => p.close());
    const vehicle = await vehicleEnd(first.b);
    const { t, source, values } = await run({
      connection: `serial://${first.a}?baud=115200`,
      heartbeat: { interval_s: '200ms' },
      reconnect: { initial_ms: 20, max_ms: 100 },
      messages: { HEARTBEAT: ['flight_mode'], GLOBAL_POSITION_INT: ['lat'], ATTITUDE: ['roll'] },
    });
    // The bridge's first heartbeat through the pair says its end is open (a HEARTBEAT is 21 bytes).
    await vehicle.heardAtLeast(21);
    await vehicle.write(Buffer.concat([
      nmFrame(nmHeartbeat(), { sysid: 1 }),
      Buffer.from([0x00, 0xfe, 0xfe]),
      nmFrame(nmGlobalPosition(1000), { sysid: 1, seq: 1 }),
      encodeV1('HEARTBEAT', { ...hb, type: 10, custom_mode: 4 }, { sysid: 2 }),
      encodeV2('ATTITUDE', { time_boot_ms: 50, roll: -0.5 }, { sysid: 2, seq: 1 }),
    ]));
    await t.waitFor(() => values('field-a-2', 'attitude.roll').length === 1, 'both vehicles over the pty');
    expect(values('field-a-1', 'global_position_int.lat')).toEqual([47.3977418]);
    expect(values('field-a-2', 'heartbeat.flight_mode')).toEqual(['HOLD']);
    expect(t.ready()).toBe(true);
    // The bridge's heartbeats, read with node-mavlink at the vehicle's end.
    await vehicle.heardAtLeast(42);
    const packets = await nmParse(vehicle.heard);
    expect(packets.length).toBeGreaterThanOrEqual(2);
    expect(nmHeartbeatOf(packets[0]!)).toMatchObject({ type: 6, autopilot: 8 });
    expect(packets[0]!.header).toMatchObject({ sysid: 254, compid: 191 });

    // Unplugged: the port goes away, the link reports it, and comes back with the adapter.
    await new Promise<void>((resolve) => vehicle.port.close(() => resolve()));
    await first.close();
    await t.waitFor(() => !t.ready(), 'the link reported down');
    const second = track.add(await startSerialPair({ dir }), (p) => p.close());
    const again = await vehicleEnd(second.b);
    // The bridge's heartbeats through the new pair say its end is open again.
    await again.heardAtLeast(21);
    await again.write(Buffer.concat([nmFrame(nmHeartbeat(), { sysid: 1, seq: 2 }), nmFrame(nmAttitude(2_000, 0.75), { sysid: 1, seq: 3 })]));
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 1 && t.ready(), 'a point after the replug');
  });
});

describe('a radio at another baud rate (random bytes over a socat pty pair)', () => {
  it('says once that no frame was read and which baud rate to check, and the first frame resolves it', async () => {
    const dir = await track.tempDir('bridge-mavlink-baud-');
    const pair = track.add(await startSerialPair({ dir }), (p) => p.close());
    const radio = await vehicleEnd(pair.b);
    const { t, source, values } = await run({ connection: `serial://${pair.a}?baud=57600`, messages: { HEARTBEAT: ['flight_mode'] } });
    const said = () => t.problems.filter((p) => p.key === `mavlink.${source.channel}.no_frames`);
    // What a 57600 baud radio's bytes look like to a port read at another rate: bytes, never a frame.
    const random = prng(57_600);
    for (let i = 0; i < 10; i++) await radio.write(random.bytes(500));
    await t.waitFor(() => (source.counts()?.bytes ?? 0) >= 5000, 'the random bytes read');
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatchObject({ kind: 'report', logged: true });
    expect(said()[0]!.message).toMatch(/: [\d,]+ bytes read and not one MAVLink frame among them: the radio or autopilot sends at another baud rate than the 57600 this port reads at \(a SiK or RFD telemetry radio/);
    await radio.write(encodeV2('HEARTBEAT', hb, { sysid: 1 }));
    await t.waitFor(() => values('field-a-1', 'heartbeat.flight_mode').length === 1, 'the heartbeat at the right rate');
    expect(said().map((p) => p.kind)).toEqual(['report', 'resolve']);
  });
});

describe('tcp (a vehicle, SITL or a router serving MAVLink)', () => {
  it('reads two systems split anywhere, both encoders, v1 and v2, signed (checked), with garbage between; a connection cut mid-frame is counted, reconnected and read again', async () => {
    const vehicle = track.add(await startTcpVehicle(), (v) => v.close());
    const passphrase = 'tcp fleet';
    const key = signingKey(passphrase);
    const { t, values } = await run({
      connection: `tcp://127.0.0.1:${vehicle.port}`,
      reconnect: { initial_ms: 10, max_ms: 50 },
      signing: { passphrase, allow_unsigned: true },
      messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] },
    });
    const socket = await vehicle.connections(1);
    const stream = Buffer.concat([
      nmFrame(nmHeartbeat(), { sysid: 1, seq: 0 }),
      Buffer.from('noise'),
      encodeV2('ATTITUDE', { time_boot_ms: 10, roll: 0.25 }, { sysid: 1, seq: 1 }),
      encodeV1('ATTITUDE', { time_boot_ms: 20, roll: 0.5 }, { sysid: 1, seq: 2 }),
      nmFrame(nmAttitude(30, 1.5), { sysid: 2, seq: 0, sign: { key: Buffer.from(key), linkId: 3, unixMs: Date.now() } }),
      // A forged signature whose link id is a start byte: the parser cannot tell it from a frame
      // cut there until it sees 64 more bytes, which never come. The stream going quiet settles it.
      encodeV2('ATTITUDE', { time_boot_ms: 40, roll: 9 }, { sysid: 2, seq: 1, sign: { key: signingKey('guess'), linkId: 0xfe, timestamp: 0x40 } }),
      encodeV1('HEARTBEAT', { ...hb, type: 10, custom_mode: 11 }, { sysid: 2, seq: 2 }),
    ]);
    for (let i = 0; i < stream.length; i += 7) socket.write(stream.subarray(i, i + 7));
    await t.waitFor(() => values('field-a-2', 'heartbeat.flight_mode').length === 1, 'the last frame, once the stream went quiet');
    expect(values('field-a-1', 'attitude.roll')).toEqual([0.25, 0.5]);
    expect(values('field-a-2', 'attitude.roll')).toEqual([1.5]);
    expect(values('field-a-2', 'heartbeat.flight_mode')).toEqual(['RTL']);
    socket.end(encodeV2('ATTITUDE', { time_boot_ms: 50, roll: 1 }, { sysid: 1, seq: 3 }).subarray(0, 15));
    await t.waitFor(() => !t.ready(), 'the cut reported');
    const second = await vehicle.connections(2);
    second.write(encodeV2('ATTITUDE', { time_boot_ms: 60, roll: 2 }, { sysid: 1, seq: 4 }));
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 3 && t.ready(), 'a point on the new connection');
    expect(values('field-a-1', 'attitude.roll')).toEqual([0.25, 0.5, 2]);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'garbage' })).toBe(1);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'truncated' })).toBe(1);
    expect(await t.metric('fieldbridge_mavlink_problems_total', { system: '1', kind: 'truncated' })).toBe(1);
    expect(await t.metric('fieldbridge_mavlink_problems_total', { system: '2', kind: 'bad_signature' })).toBe(1);
  });

  it('holds the connection while the sink is blocked (the vehicle keeps the data) and reads it all once open', async () => {
    const vehicle = track.add(await startTcpVehicle(), (v) => v.close());
    const { t, values } = await run({ connection: `tcp://127.0.0.1:${vehicle.port}`, messages: { ATTITUDE: ['roll'] } }, { blocked: true });
    const socket = await vehicle.connections(1);
    socket.write(encodeV2('ATTITUDE', { time_boot_ms: 10, roll: 1 }, { sysid: 1, seq: 0 }));
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 1, 'the first chunk');
    await new Promise<void>((resolve) => socket.write(Buffer.concat([2, 3, 4].map((roll) => encodeV2('ATTITUDE', { time_boot_ms: 10 + roll, roll }, { sysid: 1, seq: roll - 1 }))), () => resolve()));
    await turns(50);
    expect(values('field-a-1', 'attitude.roll')).toEqual([1]);
    t.setBlocked(false);
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 4, 'the rest once open');
    expect(values('field-a-1', 'attitude.roll')).toEqual([1, 2, 3, 4]);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { reason: 'blocked' })).toBe(0);
  });
});
