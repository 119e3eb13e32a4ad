// A SIGHUP reload stops the source and starts one for the new mapping. A UDP link whose
// connection the reload does not change stays bound: what arrives between the stop and the start
// is read by the new source, once; a changed connection closes the old socket first.
import { createSocket } from 'node:dgram';
import { releaseKept } from '@fieldbridge/core';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mavlinkConfigSchema } from '../src/config.js';
import { createMavlinkSource } from '../src/source.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer } from './helpers/udp-peer.js';

const track = trackCleanups();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

/** A source on its own test context, sharing `reloadState` as the starts of one run do. */
function start(section: unknown, reloadState: Map<string, unknown>) {
  const t = createTestContext({ bridge: 'mavlink', sourceId: 'field-a', reloadState });
  track.defer(() => t.abort.abort());
  const source = track.add(createMavlinkSource(mavlinkConfigSchema.parse(section), t.ctx), (s) => s.stop());
  return { t, source, rolls: () => t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.value as number) };
}

/** Whether a UDP socket can bind `port` on loopback now. */
function bindable(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('a UDP link across a SIGHUP reload', () => {
  it('with the same connection: the socket stays bound, and every datagram sent before, during and after the reload is read exactly once', async () => {
    const reloadState = new Map<string, unknown>();
    track.defer(() => releaseKept(reloadState));
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    let seq = 0;
    const send = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 1) await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 10_000 + i * 10, roll: i }, { sysid: 1, seq: seq++ % 256 }), port);
    };

    const before = start({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['armed'], ATTITUDE: ['roll'] } }, reloadState);
    await before.source.start();
    const port = before.source.localAddress()!.port;
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 1, seq: seq++ }), port);
    await send(0, 50);
    await before.t.waitFor(() => before.rolls().length === 50, 'the frames sent before the reload');
    await before.source.stop();

    // Between the stop and the next start: nobody reads the link.
    await send(50, 100);
    const after = start({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['armed'], ATTITUDE: ['roll', 'pitch'] } }, reloadState);
    await after.source.start();
    expect(after.source.localAddress()!.port).toBe(port);
    await send(100, 150);
    await after.t.waitFor(() => after.rolls().length === 100, 'the frames sent during and after the reload');

    const all = [...before.rolls(), ...after.rolls()];
    expect(all).toEqual(Array.from({ length: 150 }, (_, i) => i));
    // The held datagrams keep their arrival order and come first.
    expect(after.rolls().slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(after.t.channels()['udpin://127.0.0.1:0']?.state).toBe('connected');

    // The run ends: the kept socket is closed and its port free.
    await after.source.stop();
    expect(await bindable(port)).toBe(false);
    await releaseKept(reloadState);
    expect(await bindable(port)).toBe(true);
  });

  it('with another connection: the old socket is closed before the new one binds (the same port can be named)', async () => {
    const reloadState = new Map<string, unknown>();
    track.defer(() => releaseKept(reloadState));
    const before = start({ connection: 'udpin://127.0.0.1:0', messages: { ATTITUDE: ['roll'] } }, reloadState);
    await before.source.start();
    const port = before.source.localAddress()!.port;
    await before.source.stop();
    expect(await bindable(port)).toBe(false);

    const after = start({ connection: `udpin://127.0.0.1:${port}`, messages: { ATTITUDE: ['roll'] } }, reloadState);
    await after.source.start();
    expect(after.source.localAddress()).toEqual({ host: '127.0.0.1', port });
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 1, roll: 7 }, { sysid: 1 }), port);
    await after.t.waitFor(() => after.rolls().length === 1, 'a frame on the new link');
    await after.source.stop();
    await releaseKept(reloadState);
    expect(await bindable(port)).toBe(true);
  });

  it('udpout: the bridge goes on sending from the same port, so the vehicle answers where it listens', async () => {
    const reloadState = new Map<string, unknown>();
    track.defer(() => releaseKept(reloadState));
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    const section = { connection: `udpout://127.0.0.1:${vehicle.port}`, heartbeat: { interval_s: 0.1 } };
    const before = start(section, reloadState);
    await before.source.start();
    await vehicle.receivedAtLeast(1);
    const port = vehicle.received[0]!.from.port;
    await before.source.stop();
    const heard = vehicle.received.length;
    const after = start(section, reloadState);
    await after.source.start();
    await vehicle.receivedAtLeast(heard + 1);
    expect(new Set(vehicle.received.map((r) => r.from.port))).toEqual(new Set([port]));
    // The vehicle answers the port it heard from: the restarted bridge reads it.
    await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 1, roll: 3 }, { sysid: 1 }), port);
    await after.t.waitFor(() => after.t.points.some((p) => p.metric === 'attitude.roll'), 'the answer on the kept port');
  });

  it('without a shared reloadState (no reload can follow), stop closes the socket', async () => {
    const t = createTestContext({ bridge: 'mavlink' });
    const source = createMavlinkSource(mavlinkConfigSchema.parse({ connection: 'udpin://127.0.0.1:0' }), t.ctx);
    await source.start();
    const port = source.localAddress()!.port;
    await source.stop();
    expect(await bindable(port)).toBe(true);
  });
});
