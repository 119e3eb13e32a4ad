import { describe, expect, it } from 'vitest';
import { createRouteChoice, MAX_ROUTES, MESSAGE_GRACE_MS, ROUTE_FORGET_MS, ROUTE_QUIET_MS, ROUTE_SKEW_MS, type RouteChoice, type RouteFrame } from '../src/routes.js';

const RADIO = 'udp:10.0.0.7:14550';
const USB = 'serial:/dev/ttyACM0';
const LTE = 'udp:10.8.0.2:14550';

const message = (name: string, msgid: number, payload: number[] = [1], compid = 1): RouteFrame => ({ sysid: 1, compid, msgid, name, payload: new Uint8Array(payload) });
const ATTITUDE = message('ATTITUDE', 30);
const RC_CHANNELS = message('RC_CHANNELS', 65);
const HEARTBEAT = message('HEARTBEAT', 0);

/** The choice as the reader drives it: a frame read with a boot time is placed. */
function driven() {
  const choice: RouteChoice = createRouteChoice({ linkTimeoutMs: 5_000 });
  const feed = (frame: RouteFrame, route: string, atMs: number, bootMs?: number) => {
    const verdict = choice.admit(frame, route, atMs, () => bootMs);
    if (verdict === 'read' && bootMs !== undefined) choice.placed(frame, route, atMs, bootMs);
    return verdict;
  };
  return { choice, feed };
}

describe('the route a vehicle is read from', () => {
  it('is its only route, for every frame, with nothing to say', () => {
    const { choice, feed } = driven();
    for (let t = 0; t < 2_000; t += 100) expect(feed(ATTITUDE, RADIO, t, 50_000 + t)).toBe('read');
    expect(choice.take()).toEqual([]);
    expect(choice.snapshot(1)).toMatchObject([{ route: RADIO, inUse: true, read: 20, standby: 0 }]);
  });

  it('is the first heard: a second port of the vehicle is said once, and its stream of a message the first carries is not read', () => {
    const { choice, feed } = driven();
    const verdicts: Record<string, string[]> = { [RADIO]: [], [USB]: [] };
    for (let t = 0; t < 1_000; t += 50) {
      if (t % 250 === 0) verdicts[RADIO]!.push(feed(ATTITUDE, RADIO, t, 50_000 + t - 80));
      // Said at its first heartbeat (the vehicle's kind and state, not another vehicle's).
      if (t === 0) feed(HEARTBEAT, USB, 0);
      if (t % 100 === 0) verdicts[USB]!.push(feed(ATTITUDE, USB, t, 50_000 + t));
    }
    expect(verdicts[RADIO]).toEqual(Array(4).fill('read'));
    expect(verdicts[USB]).toEqual(Array(10).fill('standby'));
    expect(choice.take()).toEqual([{ kind: 'route.added', sysid: 1, atMs: 0, route: USB, inUse: RADIO }]);
  });

  it('is another port for a message only that port sends, for as long as the first does not', () => {
    const { feed } = driven();
    feed(HEARTBEAT, RADIO, 0);
    for (let t = 0; t < 1_000; t += 100) {
      feed(ATTITUDE, RADIO, t, 50_000 + t);
      expect(feed(RC_CHANNELS, USB, t + 10, 50_000 + t)).toBe('read');
    }
    // The radio's stream rate for RC_CHANNELS is set above 0: it carries it from now on.
    for (let t = 1_000; t < 2_000; t += 100) {
      expect(feed(RC_CHANNELS, RADIO, t, 50_000 + t)).toBe('read');
      expect(feed(RC_CHANNELS, USB, t + 10, 50_000 + t + 10)).toBe('standby');
    }
  });

  it('reads a message from the next port once the first is overdue with it (2.5 of its intervals), and from the first again when it comes back', () => {
    const { choice, feed } = driven();
    for (let t = 0; t <= 1_000; t += 100) {
      feed(HEARTBEAT, RADIO, t);
      feed(ATTITUDE, RADIO, t, 50_000 + t);
      if (t === 0) feed(HEARTBEAT, USB, 20);
      feed(ATTITUDE, USB, t + 20, 50_000 + t + 20);
    }
    // One ATTITUDE lost on the radio: USB's is not read for that.
    feed(HEARTBEAT, RADIO, 1_100);
    expect(feed(ATTITUDE, USB, 1_120, 51_120)).toBe('standby');
    feed(HEARTBEAT, RADIO, 1_200);
    expect(feed(ATTITUDE, USB, 1_220, 51_220)).toBe('standby');
    // The radio stops sending ATTITUDE (its heartbeats go on: the route is not quiet): after 250 ms USB's is read.
    feed(HEARTBEAT, RADIO, 1_300);
    expect(feed(ATTITUDE, USB, 1_320, 51_320)).toBe('read');
    feed(HEARTBEAT, RADIO, 1_400);
    expect(feed(ATTITUDE, USB, 1_420, 51_420)).toBe('read');
    // Back on the radio: read from there again; USB's next one is not.
    expect(feed(ATTITUDE, RADIO, 1_500, 51_500)).toBe('read');
    expect(feed(ATTITUDE, USB, 1_520, 51_520)).toBe('standby');
    expect(choice.take().map((e) => e.kind)).toEqual(['route.added']);
    expect(MESSAGE_GRACE_MS).toBeLessThan(250);
  });

  it('fails over once when the route in use goes quiet, and stays on the new one when the old one comes back', () => {
    const { choice, feed } = driven();
    for (let t = 0; t <= 2_000; t += 100) {
      feed(ATTITUDE, RADIO, t, 50_000 + t);
      feed(HEARTBEAT, USB, t + 10);
    }
    choice.take();
    // The radio goes quiet; USB goes on: one change, once the radio gave nothing for ROUTE_QUIET_MS.
    const changes = [];
    for (let t = 2_100; t <= 4_000; t += 100) {
      feed(HEARTBEAT, USB, t + 10);
      changes.push(...choice.take());
    }
    expect(changes).toEqual([{ kind: 'route.changed', sysid: 1, atMs: 3_010, route: USB, previous: RADIO, quietMs: 1_010 }]);
    expect(3_010 - 2_000).toBeGreaterThan(ROUTE_QUIET_MS);
    expect(2_910 - 2_000).toBeLessThan(ROUTE_QUIET_MS);
    // The radio back: a standby now (no second change).
    for (let t = 4_100; t <= 5_000; t += 100) {
      expect(feed(HEARTBEAT, RADIO, t)).toBe('standby');
      expect(feed(HEARTBEAT, USB, t + 10)).toBe('read');
    }
    expect(choice.take()).toEqual([]);
    expect(choice.snapshot(1).map((r) => [r.route, r.inUse])).toEqual([[RADIO, false], [USB, true]]);
  });

  it('takes no frame from a slower route older than one read from the faster before it', () => {
    const { feed } = driven();
    // USB in use, the LTE modem 400 ms behind.
    for (let t = 0; t <= 1_000; t += 100) {
      feed(ATTITUDE, USB, t, 50_000 + t);
      feed(ATTITUDE, LTE, t + 5, 50_000 + t - 400);
    }
    // USB unplugged: the modem's ATTITUDE is read once overdue, but not what USB gave already.
    const verdicts = [];
    for (let t = 1_100; t <= 2_000; t += 100) verdicts.push([50_000 + t - 400, feed(ATTITUDE, LTE, t + 5, 50_000 + t - 400)]);
    expect(verdicts).toEqual([
      [50_700, 'standby'], [50_800, 'standby'],
      [50_900, 'behind'], [51_000, 'behind'],
      [51_100, 'read'], [51_200, 'read'], [51_300, 'read'], [51_400, 'read'], [51_500, 'read'], [51_600, 'read'],
    ]);
  });

  it("reads a route whose boot clock is another's (two vehicles with one system id) as it comes, and does not say it", () => {
    const { choice, feed } = driven();
    feed(ATTITUDE, RADIO, 0, 300_000);
    for (let t = 100; t < 1_000; t += 100) {
      expect(feed(ATTITUDE, USB, t, 90_000 + t)).toBe('read');
      expect(feed(ATTITUDE, RADIO, t + 10, 300_000 + t)).toBe('read');
    }
    expect(choice.take()).toEqual([]);
    expect(ROUTE_SKEW_MS).toBeLessThan(300_000 - 90_000);
  });
});

describe('messages an autopilot sends to every port', () => {
  const text = (words: string) => message('STATUSTEXT', 253, [4, ...Buffer.from(words)]);

  it('are read from the port that brings them first, the same from another port once dropped, a repeat over the same port read', () => {
    const { choice, feed } = driven();
    feed(HEARTBEAT, RADIO, 0);
    feed(HEARTBEAT, USB, 10);
    expect(feed(text('PreArm: Compass not calibrated'), USB, 100)).toBe('read');
    expect(feed(text('PreArm: Compass not calibrated'), RADIO, 180)).toBe('copy');
    // The radio lost the next one: USB's is read all the same.
    expect(feed(text('PreArm: Throttle below failsafe'), USB, 300)).toBe('read');
    // Repeated a second later: read again from whichever port is first, copied by the other.
    expect(feed(text('PreArm: Compass not calibrated'), RADIO, 1_100)).toBe('read');
    expect(feed(text('PreArm: Compass not calibrated'), USB, 1_120)).toBe('copy');
    expect(choice.snapshot(1).map((r) => [r.route, r.copies])).toEqual([[RADIO, 1], [USB, 1]]);
  });
});

describe('a port forwarded twice', () => {
  it('is one route with its original once most of its frames are copies: a frame first over either is read; it leaves when its copies stop', () => {
    const { choice, feed } = driven();
    const MODEM = 'udp:10.0.0.9:14550';
    for (let t = 0; t < 500; t += 100) {
      feed(ATTITUDE, RADIO, t, 50_000 + t);
      choice.copied(1, MODEM, RADIO, t + 30);
    }
    expect(choice.snapshot(1)).toMatchObject([{ route: RADIO, inUse: true }, { route: MODEM, inUse: true, mirrors: RADIO }]);
    // A frame the modem brings first (the radio lost it) is read.
    expect(feed(ATTITUDE, MODEM, 530, 50_500)).toBe('read');
    // The modem carries another port now: its own frames, no copies. It leaves.
    for (let t = 600; t < 10_000; t += 100) {
      feed(ATTITUDE, RADIO, t, 50_000 + t);
      feed(RC_CHANNELS, MODEM, t + 30, 50_000 + t);
    }
    expect(choice.snapshot(1)[1]).toMatchObject({ route: MODEM, inUse: false });
    expect(choice.snapshot(1)[1]!.mirrors).toBeUndefined();
    expect(feed(ATTITUDE, MODEM, 10_030, 60_000)).toBe('standby');
  });
});

describe('routes remembered', () => {
  it(`are at most ${MAX_ROUTES} per vehicle, and those quiet for a minute are forgotten`, () => {
    const { choice, feed } = driven();
    for (let i = 0; i < 40; i++) feed(HEARTBEAT, `udp:10.0.0.${i}:14550`, i);
    expect(choice.snapshot(1)).toHaveLength(MAX_ROUTES);
    expect(choice.snapshot(1)[0]!.route).toBe('udp:10.0.0.0:14550');
    feed(HEARTBEAT, 'udp:10.0.0.0:14550', ROUTE_FORGET_MS + 100);
    feed(HEARTBEAT, 'udp:10.1.0.1:14550', ROUTE_FORGET_MS + 200);
    expect(choice.snapshot(1).map((r) => r.route)).toEqual(['udp:10.0.0.0:14550', 'udp:10.1.0.1:14550']);
  });
});
