import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, loadDialect, openLink, signingKey, type Dialect, type MavlinkLink } from '../src/index.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';
import { encodeV1, encodeV2, signatureTimestamp } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { startTcpVehicle, type TcpVehicle } from './helpers/tcp-vehicle.js';

const track = cleanups();
let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
const fast = { reconnect: { initialMs: 10, maxMs: 50 } };

async function vehicle(port?: number): Promise<TcpVehicle> {
  const v = await startTcpVehicle(port);
  track(() => v.close());
  return v;
}

function link(port: number): { link: MavlinkLink; got: ReturnType<typeof collect> } {
  const l = openLink(`tcp://127.0.0.1:${port}`, fast);
  track(() => l.close());
  return { link: l, got: collect(createMavlinkReader({ dialect })) };
}

/** Writes `bytes` in pieces of `size`, each its own write, so frames straddle TCP segments. */
function dribble(socket: import('node:net').Socket, bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) socket.write(bytes.subarray(i, i + size));
}

describe('tcp link', () => {
  it('reads a stream of frames from several systems, both encoders, v1 and v2, signed (verified), garbage between, split anywhere', async () => {
    const v = await vehicle();
    const key = signingKey('tcp test');
    const l = openLink(`tcp://127.0.0.1:${v.port}`, fast);
    track(() => l.close());
    const got = collect(createMavlinkReader({ dialect, signing: { key, allowUnsigned: true } }));
    await l.start(got.handlers);
    const socket = await v.connections(1);
    const stream = Buffer.concat([
      nmFrame(nmHeartbeat(), { sysid: 1 }),
      Buffer.from([0x55, 0xfe, 0x01, 0xfd]),
      encodeV1('ATTITUDE', { time_boot_ms: 10, roll: 0.25 }, { sysid: 2 }),
      nmFrame(nmAttitude(20), { sysid: 1, seq: 1, version: 1 }),
      Buffer.from('garbage'),
      encodeV2('HEARTBEAT', { ...hb, type: 1, custom_mode: 11 }, { sysid: 3 }),
      encodeV2('ATTITUDE', { time_boot_ms: 30, roll: 0.5 }, { sysid: 3, seq: 1, sign: { key, linkId: 1, timestamp: signatureTimestamp(Date.UTC(2026, 0, 1)) } }),
      nmFrame(nmAttitude(40), { sysid: 1, seq: 2, sign: { key: Buffer.from(key), linkId: 2, unixMs: Date.UTC(2026, 0, 1) } }),
    ]);
    dribble(socket, stream, 7);
    await got.until(() => got.messages.length === 6, 'six messages');
    expect(got.messages.map((m) => `${m.sysid}:${m.name}:${m.signed ? 'signed' : 'plain'}`)).toEqual([
      '1:HEARTBEAT:plain', '2:ATTITUDE:plain', '1:ATTITUDE:plain', '3:HEARTBEAT:plain', '3:ATTITUDE:signed', '1:ATTITUDE:signed',
    ]);
    expect(got.messages[3]!.fields.find((f) => f.name === 'flight_mode')?.value).toBe('RTL');
    expect(got.problems.map((p) => p.kind)).toEqual(['garbage', 'garbage']);
    expect(got.states[0]).toEqual({ state: 'open' });
  });

  it('sends to the vehicle', async () => {
    const v = await vehicle();
    const { link: l, got } = link(v.port);
    await l.start(got.handlers);
    await v.connections(1);
    const gcs = encodeV2('HEARTBEAT', { type: 6, autopilot: 8 }, { sysid: 255, compid: 190 });
    expect(await l.send(gcs)).toBe(1);
    await v.receivedAtLeast(gcs.length);
    expect(v.received()).toEqual(gcs);
  });

  it('reconnects when the connection drops mid-frame; the cut frame is counted, later frames read', async () => {
    const v = await vehicle();
    const { link: l, got } = link(v.port);
    await l.start(got.handlers);
    const first = await v.connections(1);
    first.write(Buffer.concat([encodeV2('HEARTBEAT', hb, { seq: 0 }), encodeV2('ATTITUDE', { time_boot_ms: 5, roll: 1 }, { seq: 1 }).subarray(0, 15)]));
    await got.until(() => got.messages.length === 1, 'the first heartbeat');
    first.destroy();
    await got.until(() => got.states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    const second = await v.connections(2);
    second.write(encodeV2('HEARTBEAT', hb, { seq: 2 }));
    await got.until(() => got.messages.length === 2, 'a heartbeat on the new connection');
    expect(got.problems).toMatchObject([{ kind: 'truncated', msgid: 30, bytes: 15 }]);
    expect(got.states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'open']);
  });

  it('keeps trying while refused, and connects once the vehicle is up', async () => {
    const placeholder = await startTcpVehicle();
    const port = placeholder.port;
    await placeholder.close();
    const { link: l, got } = link(port);
    await l.start(got.handlers);
    expect(got.states[0]).toMatchObject({ state: 'reconnecting', detail: expect.stringContaining('ECONNREFUSED') });
    const v = await vehicle(port);
    const socket = await v.connections(1);
    socket.write(encodeV2('HEARTBEAT', hb));
    await got.until(() => got.messages.length === 1, 'a heartbeat once up');
    expect(l.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it('closes promptly, also while waiting to reconnect', async () => {
    const placeholder = await startTcpVehicle();
    const port = placeholder.port;
    await placeholder.close();
    const l = openLink(`tcp://127.0.0.1:${port}`, { reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    const got = collect(createMavlinkReader({ dialect }));
    await l.start(got.handlers);
    await l.close();
    expect(got.states.map((s) => s.state)).toEqual(['reconnecting', 'closed']);
    expect(await l.send(Buffer.from([1]))).toBe(0);
  });
});
