import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkParser, createMessageTimer, loadDialect, type Dialect, type MavlinkFrame } from '../src/index.js';
import { encodeV2, type Values } from './helpers/mavlink-encoder.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const WALL = Date.UTC(2026, 5, 1, 12, 0, 0);
const frame = (name: string, values: Values, compid = 1): MavlinkFrame => createMavlinkParser({ dialect }).push(encodeV2(name, values, { compid })).frames[0]!;

describe('message timestamps', () => {
  it('places time_boot_ms on the wall clock by the lowest-delay sample', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const place = (bootMs: number, localMs: number): number => {
      const f = frame('ATTITUDE', { time_boot_ms: bootMs });
      return timer.place(1, 1, f.message, f.payload, localMs).timestampMs;
    };
    // The vehicle booted at WALL - 60 s; delays 40, 12, 25 ms.
    expect(place(60_000, WALL + 40)).toBe(WALL + 40);
    expect(place(60_100, WALL + 100 + 12)).toBe(WALL + 100 + 12);
    // Now the 12 ms sample anchors: 60,200 ms of boot time is WALL + 200 + 12, though it arrived 25 ms late.
    expect(place(60_200, WALL + 200 + 25)).toBe(WALL + 200 + 12);
    // A message stamped earlier than the last one (a sensor sample) lands earlier, with the same anchor.
    expect(place(60_150, WALL + 230)).toBe(WALL + 150 + 12);
  });

  it('detects a reboot (boot time going back) and anchors afresh', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const at = (bootMs: number, localMs: number): ReturnType<typeof timer.place> => {
      const f = frame('GLOBAL_POSITION_INT', { time_boot_ms: bootMs });
      return timer.place(3, 1, f.message, f.payload, localMs);
    };
    at(300_000, WALL + 5);
    expect(at(301_000, WALL + 1_000 + 5)).toEqual({ timestampMs: WALL + 1_005, source: 'boot', restarted: false, bootMs: 301_000 });
    // Rebooted at WALL + 20 s: 2 s later its clock reads 2,000.
    const rebooted = at(2_000, WALL + 22_000 + 7);
    expect(rebooted).toEqual({ timestampMs: WALL + 22_007, source: 'boot', restarted: true, bootMs: 2_000 });
    expect(at(3_000, WALL + 23_000 + 30).timestampMs).toBe(WALL + 23_007);
  });

  it('takes boot time going back by less than a second for a reboot only after a silence longer than the time since boot', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const at = (bootMs: number, localMs: number): ReturnType<typeof timer.place> => {
      const f = frame('ATTITUDE', { time_boot_ms: bootMs });
      return timer.place(2, 1, f.message, f.payload, localMs);
    };
    // Just booted: a message stamped 50 ms before the last one, 100 ms later, is a sample taken earlier.
    at(300, WALL);
    expect(at(250, WALL + 100)).toMatchObject({ timestampMs: WALL - 50, restarted: false });
    at(1_800, WALL + 1_500);
    // Silent for 1.2 s and back at 1,000 ms since boot: it booted during the silence.
    expect(at(1_000, WALL + 2_700)).toEqual({ timestampMs: WALL + 2_700, source: 'boot', restarted: true, bootMs: 1_000 });
    // A late message after a silence, stamped before the last one, from a sender up for longer than the silence: no reboot.
    at(60_000, WALL + 62_000);
    expect(at(59_500, WALL + 64_000)).toMatchObject({ restarted: false });
  });

  it('follows time_boot_ms across its 2^32 ms rollover (49.7 days) without a reboot', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const at = (bootMs: number, localMs: number): ReturnType<typeof timer.place> => {
      const f = frame('ATTITUDE', { time_boot_ms: bootMs });
      return timer.place(1, 1, f.message, f.payload, localMs);
    };
    at(2 ** 32 - 100, WALL + 3);
    const wrapped = at(50, WALL + 150 + 3);
    // The boot time is given unwrapped: 50 ms past the wrap.
    expect(wrapped).toEqual({ timestampMs: WALL + 153, source: 'boot', restarted: false, bootMs: 2 ** 32 + 50 });
  });

  it('passes GPS-synchronised time_usec (Unix time) through and treats 0 as unknown', () => {
    const timer = createMessageTimer();
    const gps = frame('GPS_RAW_INT', { time_usec: 1_780_315_200_123_456n, fix_type: 3 });
    expect(timer.place(1, 1, gps.message, gps.payload, WALL)).toEqual({ timestampMs: 1_780_315_200_123.456, source: 'unix', restarted: false });
    const none = frame('GPS_RAW_INT', { time_usec: 0, fix_type: 3 });
    expect(timer.place(1, 1, none.message, none.payload, WALL)).toEqual({ timestampMs: WALL, source: 'arrival', restarted: false });
    const heartbeat = frame('HEARTBEAT', { type: 2 });
    expect(timer.place(1, 1, heartbeat.message, heartbeat.payload, WALL).source).toBe('arrival');
  });

  it('reads time_usec counted from boot with the same clock as time_boot_ms', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const att = frame('ATTITUDE', { time_boot_ms: 10_000 });
    timer.place(1, 1, att.message, att.payload, WALL + 4);
    const gps = frame('GPS_RAW_INT', { time_usec: 10_500_250, fix_type: 3 });
    expect(timer.place(1, 1, gps.message, gps.payload, WALL + 600)).toEqual({ timestampMs: WALL + 504.25, source: 'boot', restarted: false, bootMs: 10_500.25 });
  });

  it('keeps one clock per component: a companion computer boots apart from its autopilot', () => {
    const timer = createMessageTimer({ deviceClock: { driftPpm: 0 } });
    const autopilot = frame('ATTITUDE', { time_boot_ms: 500_000 });
    const companion = frame('ATTITUDE', { time_boot_ms: 20_000 }, 191);
    timer.place(1, 1, autopilot.message, autopilot.payload, WALL);
    expect(timer.place(1, 191, companion.message, companion.payload, WALL + 2)).toMatchObject({ timestampMs: WALL + 2, restarted: false });
  });
});
