// Packet loss and reboots over real UDP, on the test's clock: a vehicle numbering its frames with
// its own 8-bit counter (MAVLink: each component increments seq for every message it sends) and
// stamping ATTITUDE with the time since it booted. A gap is loss only when it can be: after a
// silence, the next timed message says whether the vehicle rebooted (its sequence started over)
// or frames were lost on the way.
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { prng } from './helpers/random.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const LINK = 'udpin://127.0.0.1:0';
const START = Date.UTC(2026, 5, 1, 12);
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

/**
 * A bridge on the test's clock and a vehicle (system 1) on a UDP peer. Each `step` is one
 * datagram at the clock's time (a HEARTBEAT first when asked, 9 VFR_HUD, an ATTITUDE last: 100
 * frames a second at 100 ms a step), read before it resolves; then the clock moves 100 ms.
 * Frames `drop` picks are numbered but not sent (lost on the way).
 */
async function setup() {
  let now = START;
  const running = await run({ connection: LINK, messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } }, { now: () => now });
  const { t, source, values, named } = running;
  const udp = track.add(await udpPeer(), (p) => p.close());
  const port = source.localAddress()!.port;
  const v = { seq: 0, bootedAt: START - 600_000, attitudes: 0, heartbeats: 0, sent: 0, dropped: 0 };
  const frame = (name: string, values: Record<string, number>): Buffer => encodeV2(name, values, { sysid: 1, seq: v.seq++ & 0xff });
  const attitudes = (): number => values('field-a-1', 'attitude.roll').length;
  const heartbeats = (): number => values('field-a-1', 'heartbeat.flight_mode').length;
  return {
    ...running,
    v,
    advance(ms: number) {
      now += ms;
    },
    /** The vehicle reboots: its sequence starts over at 0, its boot clock reads `bootMs` now. */
    reboot(bootMs: number) {
      v.seq = 0;
      v.bootedAt = now - bootMs;
    },
    /** Frames numbered but never sent: a radio fade of `ms`, at 100 frames a second. */
    fade(ms: number) {
      v.seq += ms / 10;
      v.dropped += ms / 10;
      now += ms;
    },
    /** A HEARTBEAT alone, read before it resolves. */
    async heartbeat() {
      v.sent += 1;
      v.heartbeats += 1;
      await udp.send(frame('HEARTBEAT', hb), port);
      await t.waitFor(() => heartbeats() === v.heartbeats, `heartbeat ${v.heartbeats}`);
    },
    async step(options: { heartbeat?: boolean; drop?: () => boolean } = {}) {
      const frames: Buffer[] = [];
      if (options.heartbeat) {
        frames.push(frame('HEARTBEAT', hb));
        v.heartbeats += 1;
      }
      for (let i = 0; i < 9; i++) {
        const f = frame('VFR_HUD', { airspeed: i });
        if (options.drop?.()) v.dropped += 1;
        else frames.push(f);
      }
      frames.push(frame('ATTITUDE', { time_boot_ms: now - v.bootedAt, roll: v.attitudes++ }));
      v.sent += frames.length;
      await udp.send(Buffer.concat(frames), port);
      await t.waitFor(() => attitudes() === v.attitudes && heartbeats() === v.heartbeats, `attitude ${v.attitudes}`);
      now += 100;
    },
    lossRatios: () => named('link.loss_ratio').map((p) => p.value as number),
    lost: () => source.vehicles()[0]!.lost,
    restarts: () => named('vehicle.restarted'),
  };
}

describe('packet loss over UDP', () => {
  it('a fast reboot (1 s of silence, HEARTBEAT first, sequence and boot clock starting over) is no loss, and vehicle.restarted once', async () => {
    const s = await setup();
    // 27 steps: 273 frames, the sequence past 255 and back to 16.
    for (let i = 0; i < 27; i++) await s.step({ heartbeat: i % 10 === 0 });
    expect(s.v.seq & 0xff).toBe(17);
    s.advance(900);
    s.reboot(2_000);
    // The first frame after the reboot is a HEARTBEAT: sequence 0 after 16, a gap of 239 that no boot time explains yet.
    await s.heartbeat();
    s.advance(5);
    for (let i = 0; i < 11; i++) await s.step({ heartbeat: i === 10 });
    expect(s.restarts()).toMatchObject([{ source_id: 'field-a-1', timestamp: START + 27 * 100 + 900 + 5, value: { compid: 1 } }]);
    expect(s.lossRatios()).toEqual([0, 0, 0, 0, 0]);
    expect(s.source.vehicles()[0]).toMatchObject({ received: s.v.sent, lost: 0 });
    expect(await s.t.metric('fieldbridge_mavlink_frames_lost_total', { system: '1' })).toBe(0);
  });

  it('a lossy radio losing 30 % of the frames is reported as that, across the sequence wrap', async () => {
    const s = await setup();
    const random = prng(20260601);
    const drop = (): boolean => random.next() < 0.3;
    for (let i = 0; i <= 40; i++) await s.step({ heartbeat: i % 10 === 0, drop });
    const total = s.v.sent + s.v.dropped;
    expect(total).toBe(41 * 10 + 5);
    const [vehicle] = s.source.vehicles();
    expect(vehicle).toMatchObject({ received: s.v.sent, lost: s.v.dropped });
    expect(vehicle!.lossRatio).toBeCloseTo(s.v.dropped / total, 12);
    expect(Math.abs(vehicle!.lossRatio! - 0.3)).toBeLessThan(0.05);
    // Each heartbeat's ratio is of the frames since the one before; none of them near 1.
    expect(s.lossRatios()).toHaveLength(5);
    for (const ratio of s.lossRatios().slice(1)) {
      expect(ratio).toBeGreaterThan(0.1);
      expect(ratio).toBeLessThan(0.5);
    }
    expect(s.restarts()).toEqual([]);
  });

  it('a silence shorter than link_timeout_s without a reboot: a pause is no loss, a fade counts what it lost once ATTITUDE shows no reboot, a fade of more than 256 frames counts nothing', async () => {
    const s = await setup();
    for (let i = 0; i < 10; i++) await s.step({ heartbeat: i === 0 });
    // The vehicle sends nothing for 2 s: its sequence goes on where it was.
    s.advance(2_000);
    for (let i = 0; i < 10; i++) await s.step({ heartbeat: i === 0 });
    expect(s.lost()).toBe(0);
    // A 1 s fade: 100 frames numbered, none received. The HEARTBEAT after it holds the gap; the ATTITUDE behind it counts it.
    s.fade(1_000);
    await s.heartbeat();
    expect(s.lossRatios().at(-1)).toBe(0);
    s.advance(5);
    await s.step();
    expect(s.lost()).toBe(100);
    for (let i = 0; i < 10; i++) await s.step({ heartbeat: i === 9 });
    // The next heartbeat's window has the fade's 100 lost, and 101 received: 10 steps of 10 frames since the fade's heartbeat, and itself.
    expect(s.lossRatios().at(-1)).toBeCloseTo(100 / (100 + 101), 12);
    // A 3 s fade at 100 frames a second: 300 frames, the counter wrapped past where it was: 44 by the
    // sequence numbers, not measurable, so not counted (rather than 44).
    s.fade(3_000);
    await s.step();
    expect(s.lost()).toBe(100);
    expect(s.restarts()).toEqual([]);
    expect(s.source.vehicles()[0]!.received).toBe(s.v.sent);
  });

  it('a reboot soon after boot (boot time back by 0.8 s after 1.2 s of silence) is a restart: the new points come after the old ones, no loss', async () => {
    const s = await setup();
    s.v.bootedAt = START - 1_000;
    for (let i = 0; i < 9; i++) await s.step({ heartbeat: i === 0 });
    const before = s.t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.timestamp!);
    // The last ATTITUDE read 1,800 ms of boot time at START + 800; the vehicle is back 1.2 s later reading 1,000 ms.
    s.advance(1_100);
    s.reboot(1_000);
    await s.heartbeat();
    s.advance(5);
    for (let i = 0; i < 5; i++) await s.step();
    expect(s.restarts()).toMatchObject([{ source_id: 'field-a-1', timestamp: START + 2_005 }]);
    const after = s.t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.timestamp!).slice(before.length);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    expect(after[0]).toBe(START + 2_005);
    expect(s.lost()).toBe(0);
  });
});
