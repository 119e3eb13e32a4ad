import { describe, expect, it } from 'vitest';
import { createVehicleTracker, type Heartbeat, type VehicleEvent } from '../src/index.js';

/** The events other than link.stats (which every autopilot heartbeat gives; its own test is below). */
const changes = (events: readonly VehicleEvent[]): VehicleEvent[] => events.filter((e) => e.kind !== 'link.stats');

const copter = (customMode: number, armed = true): Heartbeat => ({ type: 2, autopilot: 3, baseMode: armed ? 209 : 81, customMode, systemStatus: 4 });

describe('vehicle tracker', () => {
  it('counts packet loss from sequence numbers across the 255 -> 0 wrap, and duplicates apart', () => {
    const tracker = createVehicleTracker();
    const seqs = [250, 251, 252, 253, 254, 255, 0, 1, 2, /* 3, 4, 5 lost */ 6, 6, 7];
    seqs.forEach((seq, i) => tracker.observe({ sysid: 1, compid: 1, seq }, i * 10));
    const [v] = tracker.vehicles();
    expect(v).toMatchObject({ sysid: 1, received: 11, lost: 3, components: [{ compid: 1, received: 11, lost: 3, duplicates: 1 }] });
    expect(v!.lossRatio).toBeCloseTo(3 / 14, 12);
  });

  it('starts the count over after a silence longer than the link timeout, and after a reboot', () => {
    const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
    tracker.observe({ sysid: 1, compid: 1, seq: 10 }, 0);
    tracker.observe({ sysid: 1, compid: 1, seq: 200 }, 9_000);
    tracker.restarted(1, 1, 9_500);
    tracker.observe({ sysid: 1, compid: 1, seq: 0 }, 10_000);
    tracker.observe({ sysid: 1, compid: 1, seq: 2 }, 10_010);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 4, lost: 1 });
  });

  it('holds a gap after a silence until the boot clock says: a reboot drops it, a clock going on counts it', () => {
    const tracker = createVehicleTracker();
    // 100 frames a second, timed (the reader calls continued() for each message with a boot time).
    for (let seq = 0; seq < 50; seq++) {
      tracker.observe({ sysid: 1, compid: 1, seq }, seq * 10);
      tracker.continued(1, 1);
    }
    // 1 s of silence, then sequence 0: a gap of 205, held.
    tracker.observe({ sysid: 1, compid: 1, seq: 0 }, 1_490, copter(4));
    expect(tracker.vehicles()[0]).toMatchObject({ received: 51, lost: 0 });
    expect(tracker.restarted(1, 1, 1_495)).toEqual([{ kind: 'vehicle.restarted', sysid: 1, compid: 1, atMs: 1_495 }]);
    tracker.observe({ sysid: 1, compid: 1, seq: 1 }, 1_495);
    tracker.observe({ sysid: 1, compid: 1, seq: 3 }, 1_500);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 53, lost: 1 });
    // Another silence, 20 frames lost on the way: held, then counted once a boot time goes on.
    tracker.observe({ sysid: 1, compid: 1, seq: 24 }, 2_700);
    expect(tracker.vehicles()[0]).toMatchObject({ lost: 1 });
    tracker.continued(1, 1);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 54, lost: 21 });
  });

  it('without boot times, counts a gap after a silence only when the frames could have been sent in it', () => {
    const tracker = createVehicleTracker();
    // A companion sending only heartbeats, one a second.
    const companion: Heartbeat = { type: 18, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 };
    for (let seq = 0; seq < 5; seq++) tracker.observe({ sysid: 9, compid: 191, seq }, seq * 1_000, companion);
    // One heartbeat lost: a gap of 1 in 2 s, counted.
    tracker.observe({ sysid: 9, compid: 191, seq: 6 }, 6_000, companion);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 6, lost: 1 });
    // It reboots: sequence 0 after 6 in 3 s, a gap of 249 it cannot have sent: not counted.
    tracker.observe({ sysid: 9, compid: 191, seq: 0 }, 9_000, companion);
    tracker.observe({ sysid: 9, compid: 191, seq: 1 }, 10_000, companion);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 8, lost: 1 });
  });

  it('settles a held gap no timed message resolved by the link timeout as a gap without boot times', () => {
    const tracker = createVehicleTracker({ linkTimeoutMs: 2_000 });
    for (let seq = 0; seq < 20; seq++) {
      tracker.observe({ sysid: 1, compid: 1, seq }, seq * 50);
      tracker.continued(1, 1);
    }
    // A 1 s fade at 20 frames a second: 20 lost, plausible; the timed messages stop coming.
    tracker.observe({ sysid: 1, compid: 1, seq: 40 }, 1_950);
    for (let i = 1; i <= 50; i++) tracker.observe({ sysid: 1, compid: 1, seq: 40 + i }, 1_950 + i * 50);
    expect(tracker.vehicles()[0]).toMatchObject({ received: 71, lost: 20 });
  });

  it('loses the link after the timeout without a HEARTBEAT, and restores it on the next one', () => {
    const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
    expect(changes(tracker.observe({ sysid: 7, compid: 1, seq: 0 }, 1_000, copter(4))).map((e) => e.kind)).toEqual(['vehicle.found', 'mode.changed', 'armed.changed']);
    tracker.observe({ sysid: 7, compid: 1, seq: 1 }, 2_000, copter(4));
    // Other messages do not keep the link: only heartbeats do.
    tracker.observe({ sysid: 7, compid: 1, seq: 2 }, 6_500);
    expect(tracker.check(7_000)).toEqual([]);
    expect(tracker.check(7_001)).toEqual([{ kind: 'link.lost', sysid: 7, atMs: 7_001, lastHeartbeatMs: 2_000 }]);
    expect(tracker.check(8_000)).toEqual([]);
    expect(tracker.vehicles()[0]?.linkUp).toBe(false);
    expect(changes(tracker.observe({ sysid: 7, compid: 1, seq: 3 }, 12_000, copter(4)))).toEqual([{ kind: 'link.restored', sysid: 7, atMs: 12_000, downMs: 10_000 }]);
    expect(tracker.vehicles()[0]?.linkUp).toBe(true);
  });

  it('reports flight mode and armed changes, with what they were', () => {
    const tracker = createVehicleTracker();
    tracker.observe({ sysid: 1, compid: 1, seq: 0 }, 0, copter(4));
    expect(changes(tracker.observe({ sysid: 1, compid: 1, seq: 1 }, 1_000, copter(4)))).toEqual([]);
    expect(changes(tracker.observe({ sysid: 1, compid: 1, seq: 2 }, 2_000, copter(6)))).toEqual([
      { kind: 'mode.changed', sysid: 1, compid: 1, atMs: 2_000, mode: 'RTL', previous: 'GUIDED', customMode: 6 },
    ]);
    expect(changes(tracker.observe({ sysid: 1, compid: 1, seq: 3 }, 3_000, copter(9, false)))).toEqual([
      { kind: 'mode.changed', sysid: 1, compid: 1, atMs: 3_000, mode: 'LAND', previous: 'RTL', customMode: 9 },
      { kind: 'armed.changed', sysid: 1, compid: 1, atMs: 3_000, armed: false, previous: true },
    ]);
    expect(tracker.vehicles()[0]).toMatchObject({ flightMode: 'LAND', armed: false });
  });

  it('takes heartbeats of gimbals and cameras for the link, not for the mode', () => {
    const tracker = createVehicleTracker();
    const gimbal: Heartbeat = { type: 26, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 };
    expect(changes(tracker.observe({ sysid: 2, compid: 154, seq: 0 }, 0, gimbal)).map((e) => e.kind)).toEqual([]);
    expect(changes(tracker.observe({ sysid: 2, compid: 1, seq: 0 }, 10, copter(5))).map((e) => e.kind)).toEqual(['vehicle.found', 'mode.changed', 'armed.changed']);
    const [v] = tracker.vehicles();
    expect(v).toMatchObject({ sysid: 2, flightMode: 'LOITER', armed: true });
    expect(v!.components.map((c) => c.compid)).toEqual([1, 154]);
  });

  describe('vehicle.found describes the vehicle, by its autopilot', () => {
    const gimbal: Heartbeat = { type: 26, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 };
    const gcs: Heartbeat = { type: 6, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 };
    const found = (events: readonly VehicleEvent[]): VehicleEvent[] => events.filter((e) => e.kind === 'vehicle.found');

    it("a gimbal's heartbeat heard first waits for the autopilot's, which is described, once", () => {
      const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
      expect(found(tracker.observe({ sysid: 4, compid: 154, seq: 0 }, 0, gimbal))).toEqual([]);
      expect(found(tracker.check(900))).toEqual([]);
      expect(found(tracker.observe({ sysid: 4, compid: 1, seq: 0 }, 950, copter(5)))).toEqual([{ kind: 'vehicle.found', sysid: 4, compid: 1, atMs: 950, type: 2, autopilot: 3 }]);
      expect(found(tracker.observe({ sysid: 4, compid: 154, seq: 1 }, 1_000, gimbal))).toEqual([]);
      expect(found(tracker.check(20_000))).toEqual([]);
      expect(found(tracker.observe({ sysid: 4, compid: 1, seq: 1 }, 21_000, copter(5)))).toEqual([]);
    });

    it('an autopilot on another component than 1 (its autopilot type says so) is the one described', () => {
      const tracker = createVehicleTracker();
      tracker.observe({ sysid: 5, compid: 100, seq: 0 }, 0, gimbal);
      expect(found(tracker.observe({ sysid: 5, compid: 2, seq: 0 }, 10, copter(5)))).toEqual([{ kind: 'vehicle.found', sysid: 5, compid: 2, atMs: 10, type: 2, autopilot: 3 }]);
    });

    it('a system without an autopilot (a ground station) is found by its first heartbeat at its next one, not after the link timeout', () => {
      const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
      expect(found(tracker.observe({ sysid: 255, compid: 190, seq: 0 }, 1_000, gcs))).toEqual([]);
      expect(found(tracker.observe({ sysid: 255, compid: 190, seq: 1 }, 2_000, gcs))).toEqual([{ kind: 'vehicle.found', sysid: 255, compid: 190, atMs: 1_000, type: 6, autopilot: 8 }]);
      expect(found(tracker.observe({ sysid: 255, compid: 190, seq: 2 }, 3_000, gcs))).toEqual([]);
      expect(found(tracker.check(6_000))).toEqual([]);
    });

    it("another component's heartbeat between does not find it: only the first one's next heartbeat says a period passed", () => {
      const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
      expect(found(tracker.observe({ sysid: 9, compid: 191, seq: 0 }, 0, gcs))).toEqual([]);
      expect(found(tracker.observe({ sysid: 9, compid: 154, seq: 0 }, 300, gimbal))).toEqual([]);
      expect(found(tracker.observe({ sysid: 9, compid: 191, seq: 1 }, 1_000, gcs))).toEqual([{ kind: 'vehicle.found', sysid: 9, compid: 191, atMs: 0, type: 6, autopilot: 8 }]);
    });

    it('an autopilot heard after the system was found without one is found again, described as itself, once', () => {
      const tracker = createVehicleTracker({ linkTimeoutMs: 5_000 });
      tracker.observe({ sysid: 7, compid: 191, seq: 0 }, 0, gcs);
      expect(found(tracker.observe({ sysid: 7, compid: 191, seq: 1 }, 1_000, gcs))).toHaveLength(1);
      expect(tracker.observe({ sysid: 7, compid: 1, seq: 0 }, 1_500, copter(5)).map((e) => e.kind)).toEqual(['vehicle.found', 'link.stats', 'mode.changed', 'armed.changed']);
      expect(found(tracker.observe({ sysid: 7, compid: 1, seq: 1 }, 1_600, copter(5)))).toEqual([]);
      expect(found(tracker.check(20_000))).toEqual([]);
      expect(found(tracker.observe({ sysid: 7, compid: 1, seq: 2 }, 21_000, copter(5)))).toEqual([]);
      expect(found(tracker.observe({ sysid: 7, compid: 191, seq: 2 }, 21_100, gcs))).toEqual([]);
    });

    it('a lone heartbeat that is not followed: found, then lost, in that order; an autopilot after it is found described as itself', () => {
      const tracker = createVehicleTracker({ linkTimeoutMs: 1_000 });
      tracker.observe({ sysid: 6, compid: 154, seq: 0 }, 0, gimbal);
      expect(tracker.check(1_001).map((e) => e.kind)).toEqual(['vehicle.found', 'link.lost']);
      expect(tracker.observe({ sysid: 6, compid: 1, seq: 0 }, 2_000, copter(5)).map((e) => e.kind)).toEqual(['link.restored', 'vehicle.found', 'link.stats', 'mode.changed', 'armed.changed']);
    });
  });

  it("gives each system's frames received and lost with the heartbeats of its autopilot, not of its gimbal", () => {
    const tracker = createVehicleTracker();
    const gimbal: Heartbeat = { type: 26, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 };
    const stats = (events: readonly VehicleEvent[]): VehicleEvent[] => events.filter((e) => e.kind === 'link.stats');
    // Before the autopilot is heard, the gimbal (the lowest component with heartbeats) carries them.
    expect(stats(tracker.observe({ sysid: 3, compid: 154, seq: 0 }, 0, gimbal))).toEqual([{ kind: 'link.stats', sysid: 3, atMs: 0, received: 1, lost: 0 }]);
    for (const seq of [1, 2, /* 3, 4 lost */ 5]) tracker.observe({ sysid: 3, compid: 1, seq }, seq * 10);
    // Since the gimbal's heartbeat: the autopilot's 1, 2, 5 and 6 (its first frame starts its count), 3 and 4 lost.
    expect(stats(tracker.observe({ sysid: 3, compid: 1, seq: 6 }, 100, copter(5)))).toEqual([{ kind: 'link.stats', sysid: 3, atMs: 100, received: 4, lost: 2 }]);
    // From now on the autopilot's heartbeats carry them; the gimbal's frame counts in the next.
    expect(stats(tracker.observe({ sysid: 3, compid: 154, seq: 1 }, 500, gimbal))).toEqual([]);
    for (const seq of [7, /* 8 lost */ 9]) tracker.observe({ sysid: 3, compid: 1, seq }, 600 + seq);
    expect(stats(tracker.observe({ sysid: 3, compid: 1, seq: 10 }, 1_100, copter(5)))).toEqual([{ kind: 'link.stats', sysid: 3, atMs: 1_100, received: 4, lost: 1 }]);
  });

  it("counts each route's sequence numbers on its own: two ports of one autopilot, each with its counter, lose nothing", () => {
    const tracker = createVehicleTracker();
    const stats = (events: readonly VehicleEvent[]) => events.filter((e) => e.kind === 'link.stats');
    const radio = { route: 'udp:10.0.0.7:14550' };
    const usb = { route: 'serial:/dev/ttyACM0', role: 'standby' as const };
    // One route so far: its figures untagged, as ever.
    expect(stats(tracker.observe({ sysid: 1, compid: 1, seq: 0 }, 0, copter(4), radio))).toEqual([{ kind: 'link.stats', sysid: 1, atMs: 0, received: 1, lost: 0 }]);
    let radioSeq = 1;
    let usbSeq = 200;
    for (let t = 10; t < 1_000; t += 10) {
      if (t % 50 === 0 && t !== 500) tracker.observe({ sysid: 1, compid: 1, seq: radioSeq++ }, t, undefined, radio);
      if (t === 500) radioSeq++; // one of the radio's frames lost
      tracker.observe({ sysid: 1, compid: 1, seq: usbSeq++ & 0xff }, t + 1, undefined, usb);
    }
    // Each route's heartbeat gives its own figures, tagged with it; the standby's gives no mode.
    expect(tracker.observe({ sysid: 1, compid: 1, seq: usbSeq++ & 0xff }, 1_001, copter(5), usb)).toEqual([
      { kind: 'link.stats', sysid: 1, atMs: 1_001, received: 100, lost: 0, route: usb.route },
    ]);
    expect(stats(tracker.observe({ sysid: 1, compid: 1, seq: radioSeq++ }, 1_002, copter(4), radio))).toEqual([
      { kind: 'link.stats', sysid: 1, atMs: 1_002, received: 19, lost: 1, route: radio.route },
    ]);
    const [v] = tracker.vehicles();
    expect(v).toMatchObject({ received: 120, lost: 1, flightMode: 'GUIDED' });
    expect(v!.routes).toEqual([
      { route: radio.route, received: 20, lost: 1, lossRatio: 1 / 21, lastMs: 1_002 },
      { route: usb.route, received: 100, lost: 0, lossRatio: 0, lastMs: 1_001 },
    ]);
  });

  it('tracks a bounded number of components per system', () => {
    const tracker = createVehicleTracker({ maxComponents: 4 });
    for (let compid = 1; compid <= 50; compid++) tracker.observe({ sysid: 1, compid, seq: 0 }, compid);
    expect(tracker.vehicles()[0]!.components).toHaveLength(4);
  });
});

describe('vehicle tracker options', () => {
  it('refuses a link timeout that is not positive and a component limit out of range', () => {
    expect(() => createVehicleTracker({ linkTimeoutMs: 0 })).toThrow(/linkTimeoutMs must be a positive/);
    expect(() => createVehicleTracker({ maxComponents: 1000 })).toThrow(/maxComponents must be an integer from 1 to 256/);
  });
});
