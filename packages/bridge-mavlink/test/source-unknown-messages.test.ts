import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2, rawV2 } from './helpers/mavlink-encoder.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 5, system_status: 4, mavlink_version: 3 };
/** RELAY_STATUS (id 376: time_boot_ms, on, present), which ArduPilot 4.5 streams and node-mavlink 2.3's tables lack. */
const RELAY_STATUS = 376;
const relayStatus = (seq: number): Buffer => rawV2(RELAY_STATUS, Uint8Array.from([0x10, 0x27, 0, 0, 1, 0, 3, 0]), 0x2a, { seq });

describe('frames of messages the dialect does not have', () => {
  it('are no frames lost: a vehicle streaming a newer message shows the loss of its link, not of its unknown frames', async () => {
    const { t, source, named } = await run({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } });
    const port = source.localAddress()!.port;
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    let seq = 0;
    await vehicle.send(encodeV2('HEARTBEAT', hb, { seq: seq++ }), port);
    // One frame a datagram, then several a datagram (as ArduPilot fills its UDP packets), a RELAY_STATUS after each ATTITUDE.
    for (let i = 0; i < 5; i++) {
      await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 10_000 + i * 100, roll: 0.1 }, { seq: seq++ }), port);
      await vehicle.send(relayStatus(seq++), port);
    }
    const burst: Buffer[] = [];
    for (let i = 5; i < 10; i++) burst.push(encodeV2('ATTITUDE', { time_boot_ms: 10_000 + i * 100, roll: 0.1 }, { seq: seq++ }), relayStatus(seq++));
    await vehicle.send(Buffer.concat(burst), port);
    // One frame really lost on the way.
    seq++;
    await vehicle.send(encodeV2('HEARTBEAT', hb, { seq: seq++ }), port);
    await t.waitFor(() => named('link.loss_ratio').length === 2, 'the second heartbeat');

    expect(named('attitude.roll')).toHaveLength(10);
    // 21 frames since the first heartbeat (10 of them RELAY_STATUS), 1 lost: 1 / 22.
    expect(named('link.loss_ratio').map((p) => p.value)).toEqual([0, 1 / 22]);
    expect(await t.metric('fieldbridge_mavlink_frames_lost_total', { system: '1' })).toBe(1);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'udpin://127.0.0.1:0', kind: 'unknown_message' })).toBe(10);
  });
});
