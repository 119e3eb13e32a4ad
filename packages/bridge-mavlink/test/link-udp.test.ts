import { createSocket } from 'node:dgram';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, isMavlinkBridgeError, loadDialect, openLink, signingKey, type Dialect, type MavlinkLink } from '../src/index.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';
import { encodeV1, encodeV2, signatureTimestamp } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmGlobalPosition, nmHeartbeat } from './helpers/node-mavlink.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const track = cleanups();
let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

async function started(url: string, reader = createMavlinkReader({ dialect }), now?: () => number): Promise<{ link: MavlinkLink; got: ReturnType<typeof collect>; port: number }> {
  const link = openLink(url);
  track(() => link.close());
  const got = collect(reader, now);
  await link.start(got.handlers);
  return { link, got, port: link.localAddress()!.port };
}

async function peer(): Promise<Awaited<ReturnType<typeof udpPeer>>> {
  const p = await udpPeer();
  track(() => p.close());
  return p;
}

const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

describe('udpin over loopback', () => {
  it('reads several systems from two peers: node-mavlink frames, test-encoder frames, v1 and v2, signed, with garbage between', async () => {
    const key = signingKey('udp test');
    const { got, port } = await started('udpin://127.0.0.1:0');
    const a = await peer();
    const b = await peer();
    // Peer A: node-mavlink's serializer, system 1, v2 and v1.
    await a.send(nmFrame(nmHeartbeat(), { sysid: 1, seq: 0 }), port);
    await a.send(nmFrame(nmAttitude(1000), { sysid: 1, seq: 1, version: 1 }), port);
    await a.send(Buffer.concat([nmFrame(nmGlobalPosition(1000), { sysid: 1, seq: 2 }), nmFrame(nmAttitude(1100), { sysid: 1, seq: 3 })]), port);
    // Peer B: the test's encoder, systems 2 (v1) and 3 (v2, signed), garbage datagrams and garbage inside datagrams.
    await b.send(Buffer.from('not mavlink at all'), port);
    await b.send(Buffer.concat([Buffer.from([0xfe, 0x00, 0x13, 0x37]), encodeV1('HEARTBEAT', { ...hb, type: 10 }, { sysid: 2 })]), port);
    await b.send(encodeV2('HEARTBEAT', hb, { sysid: 3, sign: { key, linkId: 2, timestamp: signatureTimestamp(Date.now()) } }), port);
    await b.send(Buffer.concat([encodeV2('VFR_HUD', { airspeed: 12.5, groundspeed: 12, heading: 90, throttle: 50, alt: 100, climb: 1 }, { sysid: 3, seq: 1 }), Buffer.from([0xfd, 0x09])]), port);
    await got.until(() => got.messages.length >= 7, 'seven messages');
    expect(got.messages.map((m) => `${m.sysid}:${m.name}:v${m.version}`)).toEqual([
      '1:HEARTBEAT:v2', '1:ATTITUDE:v1', '1:GLOBAL_POSITION_INT:v2', '1:ATTITUDE:v2', '2:HEARTBEAT:v1', '3:HEARTBEAT:v2', '3:VFR_HUD:v2',
    ]);
    expect(got.messages[5]!.signed).toBe(true);
    expect(got.messages[2]!.fields.find((f) => f.name === 'lat')?.value).toBe(47.3977418);
    expect(got.messages[4]!.fields.find((f) => f.name === 'type_text')?.value).toBe('GROUND_ROVER');
    expect(got.problems.map((p) => p.kind)).toEqual(['garbage', 'garbage', 'garbage']);
    expect(new Set(got.chunks.map((c) => c.peer))).toEqual(new Set([`udp:127.0.0.1:${a.port}`, `udp:127.0.0.1:${b.port}`]));
  });

  it('remembers each peer it heard from and answers all of them, or one', async () => {
    const { link, got, port } = await started('udpin://127.0.0.1:0');
    const a = await peer();
    const b = await peer();
    await a.send(encodeV2('HEARTBEAT', hb, { sysid: 1 }), port);
    await b.send(encodeV2('HEARTBEAT', hb, { sysid: 2 }), port);
    await got.until(() => got.messages.length === 2, 'both heartbeats');
    expect(link.peers().sort()).toEqual([`udp:127.0.0.1:${a.port}`, `udp:127.0.0.1:${b.port}`].sort());
    const gcs = encodeV2('HEARTBEAT', { type: 6, autopilot: 8 }, { sysid: 255, compid: 190 });
    expect(await link.send(gcs)).toBe(2);
    await Promise.all([a.receivedAtLeast(1), b.receivedAtLeast(1)]);
    expect(a.received[0]!.bytes).toEqual(gcs);
    expect(await link.send(gcs, `udp:127.0.0.1:${b.port}`)).toBe(1);
    await b.receivedAtLeast(2);
    expect(a.received).toHaveLength(1);
  });

  it('drops datagrams while paused (counted) and delivers again after resume', async () => {
    const { link, got, port } = await started('udpin://127.0.0.1:0');
    const a = await peer();
    link.pause();
    await a.send(encodeV2('HEARTBEAT', hb, { seq: 0 }), port);
    await until(() => link.stats().dropped === 1, 'the datagram to be dropped');
    link.resume();
    await a.send(encodeV2('HEARTBEAT', hb, { seq: 1 }), port);
    await got.until(() => got.messages.length === 1, 'a heartbeat after resume');
    expect(got.messages[0]!.seq).toBe(1);
    expect(link.stats()).toMatchObject({ chunks: 1, dropped: 1 });
  });

  it('refuses a port that is taken, saying so', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    track(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const link = openLink(`udpin://127.0.0.1:${holder.address().port}`);
    const error = await link.start({ data: () => undefined }).then(() => undefined, (err: unknown) => err);
    expect(isMavlinkBridgeError(error, 'OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/EADDRINUSE.*another program/);
  });

  it('link loss and return: heartbeats stop for the timeout, then come back (injected clock)', async () => {
    let now = 1_000_000;
    const reader = createMavlinkReader({ dialect, linkTimeoutMs: 5_000 });
    const { got, port } = await started('udpin://127.0.0.1:0', reader, () => now);
    const vehicle = await peer();
    for (const [seq, t] of [[0, 1_000_000], [1, 1_001_000], [2, 1_002_000]] as const) {
      now = t;
      await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 4, seq }), port);
      await got.until(() => got.messages.length === seq + 1, `heartbeat ${seq}`);
    }
    expect(reader.check(1_007_000)).toEqual([]);
    expect(reader.check(1_007_001)).toEqual([{ kind: 'link.lost', sysid: 4, atMs: 1_007_001, lastHeartbeatMs: 1_002_000 }]);
    now = 1_030_000;
    await vehicle.send(encodeV2('HEARTBEAT', { ...hb, custom_mode: 6 }, { sysid: 4, seq: 3 }), port);
    await got.until(() => got.events.some((e) => e.kind === 'link.restored'), 'link.restored');
    expect(got.events.filter((e) => e.kind !== 'link.stats').slice(-2)).toEqual([
      { kind: 'link.restored', sysid: 4, atMs: 1_030_000, downMs: 28_000 },
      { kind: 'mode.changed', sysid: 4, compid: 1, atMs: 1_030_000, mode: 'RTL', previous: 'GUIDED', customMode: 6 },
    ]);
  });
});

describe('udpout over loopback', () => {
  it('sends to the vehicle, which answers to the port it learned', async () => {
    const vehicle = await peer();
    const { link, got } = await started(`udpout://127.0.0.1:${vehicle.port}`);
    expect(link.peers()).toEqual([`udp:127.0.0.1:${vehicle.port}`]);
    expect(await link.send(encodeV2('HEARTBEAT', { type: 6, autopilot: 8 }, { sysid: 255 }))).toBe(1);
    await vehicle.receivedAtLeast(1);
    const gcs = vehicle.received[0]!.from;
    await vehicle.send(nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1 }), gcs.port);
    await got.until(() => got.messages.length === 1, 'the vehicle heartbeat');
    expect(got.messages[0]!.fields.find((f) => f.name === 'flight_mode')?.value).toBe('LOITER');
  });
});
