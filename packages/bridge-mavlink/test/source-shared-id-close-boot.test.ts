// Two vehicles left at system id 1, booted within 5 s of each other (switched on together on the
// field), each from its own peer: their boot clocks are as close as two ports of one autopilot
// over routes of different lags. Over real UDP, frames serialised by node-mavlink, on the test's
// clock. What tells them apart is what their heartbeats say.
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const START = Date.UTC(2026, 5, 1, 12);
const ARMED_GUIDED = 209;
const DISARMED = 81;

interface Sender {
  /** Boot time at START (ms). */
  up: number;
  /** What the sender's heartbeat says at `ms` after START. */
  heartbeat(ms: number): Parameters<typeof nmHeartbeat>[0];
  /** ms its frames are old when they arrive. */
  lagMs?: number;
  /** Phase of its heartbeat in the second, ms. */
  phase: number;
  /** The roll its ATTITUDE carries, so that a point says whose it is. */
  roll: number;
}

async function setup() {
  let now = START;
  const running = await run({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } }, { now: () => now });
  const port = running.source.localAddress()!.port;
  let sent = 0;
  const peerOf = async (s: Sender) => {
    const peer = track.add(await udpPeer(), (p) => p.close());
    let seq = 0;
    const frame = (message: object): Buffer => nmFrame(message, { sysid: 1, compid: 1, seq: seq++ & 0xff });
    return {
      route: `udp:127.0.0.1:${peer.port}`,
      /** ATTITUDE every 100 ms, HEARTBEAT once a second, made `lagMs` before `ms`. */
      async stream(ms: number): Promise<void> {
        const made = ms - (s.lagMs ?? 0);
        if (made < 0) return;
        const frames: Buffer[] = [];
        if (made % 100 === 0) frames.push(frame(nmAttitude(s.up + made, s.roll)));
        if (made % 1000 === s.phase) frames.push(frame(nmHeartbeat(s.heartbeat(made))));
        if (frames.length === 0) return;
        await peer.send(Buffer.concat(frames), port);
        sent += 1;
        await until(() => running.source.linkStats()?.chunks === sent, `datagram ${sent} read`);
      },
    };
  };
  const told = () => running.t.problems.filter((p) => p.key.startsWith(`mavlink.${running.source.channel}.shared-id-`) && p.kind === 'report' && p.logged);
  const rolls = () => running.values('field-a-1', 'attitude.roll') as number[];
  /** Streams `senders` from their peers until `untilMs` after START, 50 ms a step. */
  const fly = async (senders: Sender[], untilMs: number) => {
    const peers = [];
    for (const s of senders) peers.push(await peerOf(s));
    while (now - START < untilMs) {
      for (const p of peers) await p.stream(now - START);
      now += 50;
    }
    return peers;
  };
  return { ...running, told, rolls, fly };
}

describe('two vehicles with one system id, booted within 5 s of each other', () => {
  it('of two kinds (an ArduPilot copter and a PX4 plane): told at once, both read, no failover route', async () => {
    const { told, rolls, fly, named } = await setup();
    await fly([
      { up: 300_000, phase: 0, roll: 0.1, heartbeat: () => ({ baseMode: ARMED_GUIDED, customMode: 4 }) },
      { up: 302_000, phase: 500, roll: 0.2, heartbeat: () => ({ type: 1, autopilot: 12, baseMode: ARMED_GUIDED, customMode: 0x04030000 }) },
    ], 3_000);
    expect(told()).toHaveLength(1);
    expect(told()[0]!.message).toMatch(/system 1, component 1 .*HEARTBEAT.* two vehicles \(or autopilots\) with one system id\? .*\(SYSID_THISMAV on ArduPilot, MAV_SYS_ID on PX4/);
    expect(named('route.added')).toEqual([]);
    // The second vehicle's frames are read from its first heartbeat on (0.5 s), not left out as a
    // standby's: 24 of its 30 samples (the one of 0.5 s came just before that heartbeat).
    expect(rolls().filter((r) => r === 0.2)).toHaveLength(24);
  });

  it('of one kind, one flying and one on the ground: told once their heartbeats have disagreed for a while', async () => {
    const { told, rolls, fly } = await setup();
    await fly([
      { up: 300_000, phase: 0, roll: 0.1, heartbeat: () => ({ baseMode: ARMED_GUIDED, customMode: 4, systemStatus: 4 }) },
      { up: 301_500, phase: 300, roll: 0.2, heartbeat: () => ({ baseMode: DISARMED, customMode: 0, systemStatus: 3 }) },
    ], 15_000);
    expect(told()).toHaveLength(1);
    expect(told()[0]!.message).toMatch(/two vehicles \(or autopilots\) with one system id\?/);
    // Read once told apart: the ground vehicle's samples come after that.
    expect(rolls().filter((r) => r === 0.2).length).toBeGreaterThan(0);
  });

  it('are not what one vehicle over a fast and a slow port is, changing mode every second', async () => {
    const { told, fly, named } = await setup();
    // The slow route is heard first (in use); the fast one, 2.5 s ahead, shows each mode before it.
    const modes = [0, 2, 5, 4, 6, 9, 3, 16, 5, 4, 0, 2, 5, 4, 6, 9, 3, 16];
    const heartbeat = (ms: number) => ({ baseMode: ARMED_GUIDED, customMode: modes[Math.floor(ms / 1000)]! });
    const vehicle = { up: 300_000, phase: 0, roll: 0.1, heartbeat };
    await fly([{ ...vehicle, lagMs: 0 }, { ...vehicle, lagMs: -2_500 }], 14_000);
    expect(told()).toEqual([]);
    expect(named('route.added')).toHaveLength(1);
  });
});
