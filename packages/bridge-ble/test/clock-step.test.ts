import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0, thermometer } from './helpers/source.js';

// The sink's clock steps when it learns the server's time: a gateway that booted with its clock
// an hour off (no real-time clock, NTP not there yet) jumps by that hour at its first delivery.
// Points are stamped on that clock; silence and max_rate_hz must not be measured on it.

const track = trackCleanups();
const KITCHEN = 'a4:c1:38:12:34:56';
const CELLAR = 'a4:c1:38:77:77:77';
const HOUR = 3_600_000;

function started(section: unknown, devices: Parameters<typeof sourceUnderTest>[1]) {
  const timers = new ManualTimers();
  const s = sourceUnderTest(section, devices, { timers });
  track.defer(() => s.source.stop());
  return { ...s, timers };
}

const section = {
  silent_after_s: 60,
  devices: [
    { name: 'kitchen', address: KITCHEN, decoder: 'atc' },
    { name: 'cellar', address: CELLAR, decoder: 'atc' },
  ],
};

describe('a step of the sink\'s clock', () => {
  it('forward makes no device silent: silence is time gone by, not the stamps\' jump', async () => {
    const kitchen = thermometer(KITCHEN);
    const { t, sim, source, setNow, stepClock, timers } = started(section, [kitchen, thermometer(CELLAR)]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 10, 'both thermometers');
    setNow(T0 + 1000);
    stepClock(HOUR);
    kitchen.values.counter = 1;
    sim.advertise(KITCHEN);
    await t.waitFor(() => t.points.length >= 15, 'the kitchen after the step');
    timers.advance(15_000);
    expect(t.points.filter((p) => p.metric.endsWith('.presence'))).toEqual([]);
    expect(t.points.at(-1)?.timestamp).toBe(T0 + 1000 + HOUR);
    expect(t.channels().cellar?.state).toBe('connected');
    // A minute after it was last heard, the cellar is silent; its event stamped on the stepped clock.
    setNow(T0 + HOUR + 60_000);
    timers.advance(15_000);
    expect(t.points.filter((p) => p.metric.endsWith('.presence')).map((p) => [p.metric, p.value, p.timestamp])).toEqual([['cellar.presence', 'silent', T0 + HOUR + 60_000]]);
  });

  it('backward still finds a device silent once its silent_after_s went by', async () => {
    const { t, sim, source, setNow, stepClock, timers } = started(section, [thermometer(KITCHEN), thermometer(CELLAR)]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 10, 'both thermometers');
    stepClock(-HOUR);
    setNow(T0 - HOUR + 60_000);
    timers.advance(15_000);
    expect(t.points.filter((p) => p.metric.endsWith('.presence')).map((p) => [p.metric, p.value, p.timestamp])).toEqual([
      ['kitchen.presence', 'silent', T0 - HOUR + 60_000],
      ['cellar.presence', 'silent', T0 - HOUR + 60_000],
    ]);
  });

  it('backward holds back no value of a device with max_rate_hz', async () => {
    const kitchen = thermometer(KITCHEN);
    const { t, sim, source, setNow, stepClock } = started({ devices: [{ name: 'kitchen', address: KITCHEN, decoder: 'atc', max_rate_hz: 0.2 }] }, [kitchen]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'the first reading');
    stepClock(-10 * 60_000);
    setNow(T0 - 10 * 60_000 + 6000);
    kitchen.values.counter = 1;
    sim.advertise();
    await handled();
    expect(t.points.map((p) => [p.metric, p.timestamp]).slice(5)).toEqual([
      ['kitchen.temperature', T0 - 594_000], ['kitchen.humidity', T0 - 594_000], ['kitchen.battery', T0 - 594_000], ['kitchen.battery_voltage', T0 - 594_000], ['kitchen.counter', T0 - 594_000],
    ]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'kitchen', reason: 'rate' })).toBe(0);
  });
});
