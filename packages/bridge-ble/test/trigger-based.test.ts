import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { suggestEntries } from '../src/scan-entries.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { createSurvey } from '../src/survey.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { sourceUnderTest, T0 } from './helpers/source.js';

// A BTHome device whose device info byte says "trigger based" (bit 2: a button, a door contact)
// sends only when something happens: a Shelly BLU Button advertises when pressed, nothing else.

const track = trackCleanups();
const BUTTON = '38:39:8f:70:00:01';
const SENSOR = '38:39:8f:70:00:02';
const HOUR = 3_600_000;

/** A BTHome device sending `data` (the service data after fcd2). */
function bthome(address: string, data: string): SimulatedDevice {
  return { address, advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: Buffer.from(data, 'hex') }] }) };
}

function started(section: unknown, devices: SimulatedDevice[]) {
  const timers = new ManualTimers();
  const s = sourceUnderTest(section, devices, { timers });
  track.defer(() => s.source.stop());
  return { ...s, timers };
}

/** The presence events so far, as [metric, value]. */
const presence = (t: { points: { metric: string; value: unknown }[] }) => t.points.filter((p) => p.metric.endsWith('.presence')).map((p) => [p.metric, p.value]);

describe('a trigger-based BTHome device', () => {
  it('is not called silent by the default silent_after_s between presses; a periodic sensor still is', async () => {
    // 44: BTHome v2, trigger based; packet id 1; button press. 40: v2, regular; packet id 1; temperature 21.5.
    const { t, sim, source, setNow, timers } = started(
      { silent_after_s: 60, devices: [{ name: 'button', address: BUTTON, decoder: 'bthome' }, { name: 'sensor', address: SENSOR, decoder: 'bthome' }] },
      [bthome(BUTTON, '4400013a01'), bthome(SENSOR, '400001026608')],
    );
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length >= 2, 'the press and the reading');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['button.button', 'press'], ['sensor.temperature', 21.5]]);
    setNow(T0 + HOUR);
    timers.advance(HOUR);
    expect(presence(t)).toEqual([['sensor.presence', 'silent']]);
    expect(t.channels().button?.state).toBe('connected');
  });

  it('is called silent by a silent_after_s of its own entry (a button in beacon mode, say)', async () => {
    const { t, sim, source, setNow, timers } = started({ devices: [{ name: 'button', address: BUTTON, decoder: 'bthome', silent_after_s: 60 }] }, [bthome(BUTTON, '4400013a01')]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length >= 1, 'the press');
    setNow(T0 + 60_000);
    timers.advance(60_000);
    expect(presence(t)).toEqual([['button.presence', 'silent']]);
  });
});

describe('--scan', () => {
  it('says of a trigger-based BTHome device that it is called silent only with a silent_after_s of its own', () => {
    const survey = createSurvey();
    const advert = (address: string, data: string, name?: string) => ({ t: T0, address, addressType: 'public' as const, rssi: -60, ...(name ? { name } : {}), serviceData: [{ uuid: 'fcd2', data: Buffer.from(data, 'hex') }] });
    survey.advert(advert(BUTTON, '4400013a01', 'Button A'));
    survey.advert(advert(SENSOR, '400001026608', 'Sensor B'));
    const lines = suggestEntries(survey.result().devices).map((e) => e.line);
    expect(lines).toEqual([
      `  - { name: button_a, address: ${BUTTON}, decoder: bthome }  # sends only when something happens (BTHome trigger based): called silent once heard only with a silent_after_s here (up to 7d); until heard after a start, as any device named by address`,
      `  - { name: sensor_b, address: ${SENSOR}, decoder: bthome }`,
    ]);
  });
});
