// One flight controller connected twice, as a drone team connects its radio (TELEM1) and USB:
// each port streams to the bridge on its own, with a sequence counter of its own and rates of
// its own (ArduPilot's SRx_ and PX4's per-instance streams), over real UDP from two peers, on
// the test's clock. The radio is the slower way (its samples arrive 80 ms after they were made).
import { describe, expect, it } from 'vitest';
import { ROUTE_QUIET_MS } from '../src/routes.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const START = Date.UTC(2026, 5, 1, 12);
/** The flight controller's boot time at START, ms. */
const UP = 600_000;
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
const RADIO_LAG_MS = 80;

/** A sample's roll names the boot time it was made at (s), so that every point says which sample it is. */
const rollAt = (bootMs: number): number => bootMs / 1000;

async function setup() {
  let now = START;
  const running = await run(
    { connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'], RC_CHANNELS: ['chan1_raw'], STATUSTEXT: 'default' } },
    { now: () => now },
  );
  const port = running.source.localAddress()!.port;
  let sent = 0;
  /** One port of the flight controller, streaming from a peer of its own with its own sequence counter. */
  const autopilotPort = async (firstSeq: number) => {
    const peer = track.add(await udpPeer(), (p) => p.close());
    let seq = firstSeq;
    return {
      route: `udp:127.0.0.1:${peer.port}`,
      frame: (name: string, values: Record<string, number | string>): Buffer => encodeV2(name, values, { sysid: 1, seq: seq++ & 0xff }),
      /** A frame numbered but lost on the way. */
      lose: (): void => void (seq += 1),
      /** One datagram, read by the bridge before it resolves. */
      async send(frames: Buffer[]): Promise<void> {
        if (frames.length === 0) return;
        await peer.send(Buffer.concat(frames), port);
        sent += 1;
        await until(() => running.source.linkStats()?.chunks === sent, `datagram ${sent} read`);
      },
    };
  };
  const radio = await autopilotPort(0);
  const usb = await autopilotPort(117);
  const rolls = (): number[] => running.values('field-a-1', 'attitude.roll') as number[];
  return { ...running, radio, usb, rolls, at: () => now - START, advance: (ms: number) => void (now += ms) };
}

describe('one vehicle over two ports of its autopilot', () => {
  it('reads each value once from one port, what only the other sends from there, and fails over when the first goes quiet', async () => {
    const { t, radio, usb, rolls, at, advance, values, named, source } = await setup();
    /** The radio port: ATTITUDE at 4 Hz, HEARTBEAT at 1 Hz, each made RADIO_LAG_MS before it arrives. */
    const radioFrames = (ms: number): Buffer[] => {
      const out: Buffer[] = [];
      if (ms % 250 === 0) out.push(radio.frame('ATTITUDE', { time_boot_ms: UP + ms - RADIO_LAG_MS, roll: rollAt(UP + ms - RADIO_LAG_MS) }));
      if (ms % 1000 === 0) out.push(radio.frame('HEARTBEAT', hb));
      return out;
    };
    /** The USB port: ATTITUDE at 10 Hz, RC_CHANNELS at 5 Hz (the radio's stream rate for it is 0), HEARTBEAT at 1 Hz. */
    const usbFrames = (ms: number): Buffer[] => {
      const out: Buffer[] = [];
      if (ms % 100 === 0) out.push(usb.frame('ATTITUDE', { time_boot_ms: UP + ms, roll: rollAt(UP + ms) }));
      if (ms % 200 === 0) out.push(usb.frame('RC_CHANNELS', { time_boot_ms: UP + ms, chancount: 8, chan1_raw: 1000 + ms / 10 }));
      if (ms % 1000 === 500) out.push(usb.frame('HEARTBEAT', hb));
      return out;
    };
    const text = (p: typeof radio, words: string): Buffer => p.frame('STATUSTEXT', { severity: 4, text: words });

    // 0 to 3 s: both ports stream; the radio was heard first.
    const radioSamples: number[] = [];
    while (at() < 3_000) {
      const ms = at();
      if (ms === 1_500) {
        radio.lose(); // one ATTITUDE of the radio lost on the way: a gap of 500 ms, not enough to read USB's
      } else {
        if (ms % 250 === 0) radioSamples.push(rollAt(UP + ms - RADIO_LAG_MS));
        await radio.send(radioFrames(ms));
      }
      const usbDatagram = usbFrames(ms);
      // A pre-arm text: every port sends it; over USB first, over the radio 50 ms later.
      if (ms === 2_000) usbDatagram.push(text(usb, 'PreArm: Compass not calibrated'));
      // Another one the radio lost on the way: only USB brings it.
      if (ms === 2_500) {
        usbDatagram.push(text(usb, 'PreArm: Throttle below failsafe'));
        radio.lose();
      }
      await usb.send(usbDatagram);
      if (ms === 2_050) await radio.send([text(radio, 'PreArm: Compass not calibrated')]);
      advance(50);
    }
    // Each value once: the radio's samples only (at its 4 Hz, not 14 Hz), its heartbeats only.
    expect(rolls()).toEqual(radioSamples);
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['GUIDED', 'GUIDED', 'GUIDED']);
    // A message only USB sends is read from USB, every sample.
    expect(values('field-a-1', 'rc_channels.chan1_raw')).toEqual(Array.from({ length: 15 }, (_, i) => 1000 + i * 20));
    // A text sent to every port is read once, whichever port brought it; one only USB brought is read too.
    expect(values('field-a-1', 'statustext.text')).toEqual(['PreArm: Compass not calibrated', 'PreArm: Throttle below failsafe']);
    expect(named('route.added').map((p) => p.value)).toEqual([{ route: usb.route, in_use: radio.route }]);

    // 3 to 6 s: the radio is out of range; USB goes on.
    const lastRadio = rolls().at(-1)!;
    while (at() < 6_000) {
      await usb.send(usbFrames(at()));
      advance(50);
    }
    const afterRadio = rolls().filter((r) => r > lastRadio);
    // USB's ATTITUDE is read once the radio's is overdue (2.5 of its intervals, 4 Hz), before
    // the radio as a whole is quiet (1 s after its last frame came, at 2.75 s), and from a sample
    // made after the last one read.
    expect(afterRadio[0]).toBeLessThan(rollAt(UP + 2_750 + ROUTE_QUIET_MS));
    expect(afterRadio).toEqual(Array.from({ length: afterRadio.length }, (_, i) => Math.round((afterRadio[0]! + i * 0.1) * 1000) / 1000));
    expect(rolls().at(-1)).toBe(rollAt(UP + 5_900));
    // Said once: in the log, and as an event point.
    const failovers = t.logs.messages('warn').filter((m) => m.includes('quiet for'));
    expect(failovers).toEqual([expect.stringMatching(new RegExp(`system 1: ${radio.route} quiet for 1(\\.\\d)? s, its values are read from ${usb.route} now$`))]);
    expect(named('route.changed').map((p) => p.value)).toMatchObject([{ route: usb.route, previous: radio.route }]);
    // USB's heartbeats are read once it is in use: nothing doubled, nothing missing after.
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['GUIDED', 'GUIDED', 'GUIDED', 'GUIDED', 'GUIDED']);

    // 6 to 7 s: the radio is back. The route in use stays (no second failover, no point from the radio).
    const beforeReturn = rolls().length;
    while (at() < 7_000) {
      await radio.send(radioFrames(at()));
      await usb.send(usbFrames(at()));
      advance(50);
    }
    expect(rolls().slice(beforeReturn)).toEqual(Array.from({ length: 10 }, (_, i) => rollAt(UP + 6_000 + i * 100)));
    expect(named('route.changed')).toHaveLength(1);

    // All along, the timestamps only went forward.
    const stamps = named('attitude.roll').map((p) => p.timestamp as number);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    // Each port's loss counted from its own sequence numbers: the radio's two frames, none of USB's.
    const [vehicle] = source.vehicles();
    expect(vehicle!.routes).toMatchObject([
      { route: radio.route, lost: 2, inUse: false },
      { route: usb.route, lost: 0, inUse: true },
    ]);
    const ratios = (route: string): number[] => named('link.loss_ratio').filter((p) => p.tags?.route === route).map((p) => p.value as number);
    expect(ratios(usb.route).every((r) => r === 0)).toBe(true);
    expect(ratios(radio.route).some((r) => r > 0)).toBe(true);
  });
});
