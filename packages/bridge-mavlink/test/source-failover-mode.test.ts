// A flight-mode change at a failover to a slower route: the faster route (USB) brought the
// heartbeat with the new mode, then went quiet; the slower route (a satellite or LTE link, its
// frames 1.5 s old when they arrive) still carries heartbeats made before the change. Over real
// UDP from two peers, frames serialised by node-mavlink, on the test's clock.
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const START = Date.UTC(2026, 5, 1, 12);
/** The flight controller's boot time at START, ms. */
const UP = 600_000;
const SLOW_LAG_MS = 1_500;
/** ArduCopter's custom modes: GUIDED until 1.9 s, LOITER after (the pilot's switch). */
const GUIDED = 4;
const LOITER = 5;
const modeAt = (ms: number): number => (ms < 1_900 ? GUIDED : LOITER);

async function setup() {
  let now = START;
  const running = await run({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } }, { now: () => now });
  const port = running.source.localAddress()!.port;
  let sent = 0;
  const autopilotPort = async (firstSeq: number, lagMs: number) => {
    const peer = track.add(await udpPeer(), (p) => p.close());
    let seq = firstSeq;
    const frame = (message: object): Buffer => nmFrame(message, { sysid: 1, compid: 1, seq: seq++ & 0xff });
    return {
      route: `udp:127.0.0.1:${peer.port}`,
      /** What the port sends at `ms`: ATTITUDE every 100 ms, HEARTBEAT once a second at `hbPhase`, each made `lagMs` before it arrives. */
      async stream(ms: number, hbPhase: number): Promise<void> {
        const made = ms - lagMs;
        const frames: Buffer[] = [];
        if (made % 100 === 0) frames.push(frame(nmAttitude(UP + made, made / 1000)));
        if (made % 1000 === hbPhase) frames.push(frame(nmHeartbeat({ customMode: modeAt(made) })));
        if (frames.length === 0) return;
        await peer.send(Buffer.concat(frames), port);
        sent += 1;
        await until(() => running.source.linkStats()?.chunks === sent, `datagram ${sent} read`);
      },
    };
  };
  return { ...running, usb: await autopilotPort(0, 0), slow: await autopilotPort(40, SLOW_LAG_MS), at: () => now - START, advance: (ms: number) => void (now += ms) };
}

describe('a failover to a slower route', () => {
  it('says a flight-mode change once: the slower route\'s heartbeats made before it are not read', async () => {
    const { usb, slow, at, advance, named, values } = await setup();
    // USB is heard first, so in use; the slow route's first frames come 1.5 s later.
    while (at() < 5_000) {
      const ms = at();
      // USB goes quiet after its heartbeat of 2 s (the cable pulled).
      if (ms <= 2_050) await usb.stream(ms, 0);
      if (ms >= SLOW_LAG_MS) await slow.stream(ms, 600);
      advance(50);
    }
    expect(named('route.changed').map((p) => p.value)).toMatchObject([{ route: slow.route, previous: usb.route }]);
    // Once GUIDED, once LOITER: the slow route's GUIDED heartbeat made at 1.6 s, come at 3.1 s
    // (USB quiet by then), is older than USB's LOITER one of 2 s.
    expect(named('mode.changed').map((p) => p.value)).toEqual([{ mode: 'GUIDED' }, { mode: 'LOITER', previous: 'GUIDED' }]);
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['GUIDED', 'GUIDED', 'LOITER', 'LOITER']);
    // Its samples go on from the last one read, forward only.
    const rolls = values('field-a-1', 'attitude.roll') as number[];
    expect(rolls).toEqual([...rolls].sort((a, b) => a - b));
  });
});
