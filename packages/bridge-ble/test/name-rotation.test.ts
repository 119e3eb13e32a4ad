import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0, thermometer, type Thermometer } from './helpers/source.js';

// Phones and many tags advertise from a resolvable private address they change every ~15
// minutes, under a name that stays: an entry matched by name follows the name to its newest
// address. noble drives the simulated adapter (the lowest layer); the test moves the adverts'
// clock and the sweep timers by hand.
const track = trackCleanups();
const SILENT_MS = 60_000;
/** The sweep's period for silent_after_s 60 (a quarter of it). */
const SWEEP_MS = 15_000;
/** Time at each address: 4 of them span longer than silent_after_s. */
const STAY_MS = 45_000;

const tags = { silent_after_s: SILENT_MS / 1000, devices: [{ name: 'tags', local_name_prefix: 'Tag ', decoder: 'atc' }] };
const deviceChannels = (channels: Record<string, unknown>): string[] => Object.keys(channels).filter((c) => c !== 'adapter');

/** A thermometer advertising `name` from `address`, a random address (resolvable private: top bits 01, as 5a:…). */
function tagAt(address: string, name: string, temperature = 21.5): Thermometer {
  const device = thermometer(address, name);
  device.addressType = 'random';
  device.values.temperature = temperature;
  return device;
}

function started(section: unknown, devices: Thermometer[]) {
  const timers = new ManualTimers();
  const s = sourceUnderTest(section, devices, { timers });
  track.defer(() => s.source.stop());
  return { ...s, timers };
}

const temperatures = (points: { metric: string; value: unknown; tags?: Record<string, string> }[]) => points.filter((p) => p.metric === 'tags.temperature').map((p) => [p.value, p.tags]);

describe('an entry matched by name follows the name to the newest address that advertises it', () => {
  it('keeps one channel and one series, without a silent event, for a tag that rotates its random address three times; each change is logged at debug level and counted', async () => {
    const at = [1, 2, 3, 4].map((i) => `5a:11:00:00:00:0${i}`);
    const { t, sim, source, setNow, timers } = started(tags, at.map((address) => tagAt(address, 'Tag 12')));
    await source.start();
    for (const [k, address] of at.entries()) {
      setNow(T0 + k * STAY_MS);
      sim.advertise(address);
      await handled();
      // Just before the next rotation: each address before this one was last heard more than silent_after_s ago.
      setNow(T0 + (k + 1) * STAY_MS - 1);
      timers.advance(SWEEP_MS);
    }

    expect(deviceChannels(t.channels())).toEqual(['tags/Tag 12']);
    expect(t.states.filter((s) => s.channel === 'tags/Tag 12').map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(t.points.filter((p) => p.value === 'silent')).toEqual([]);
    // Its series does not change with the address: tagged with the name it follows.
    expect(temperatures(t.points)).toEqual(at.map(() => [21.5, { device: 'tags', local_name: 'Tag 12', unit: '°C' }]));
    expect(source.devices()).toEqual([{ channel: 'tags/Tag 12', device: 'tags', address: at[3], name: 'Tag 12', state: 'connected', lastHeardMs: T0 + 3 * STAY_MS }]);
    expect(await t.metric('fieldbridge_ble_address_changes_total', {})).toBe(3);
    expect(await t.metric('fieldbridge_ble_devices', {})).toBe(1);
    expect(t.logs.lines().filter((l) => l.level === 20 && l.msg.includes('now advertises from')).map((l) => l.msg)).toEqual([1, 2, 3].map((k) => `tags/Tag 12 now advertises from ${at[k]} (was ${at[k - 1]})`));
  });

  it('reports two devices advertising one name at once as ambiguous, once, naming both addresses and the fix, and keeps their points apart without losing any', async () => {
    const first = '5a:11:00:00:00:01';
    const second = '6b:22:00:00:00:02';
    const devices = [tagAt(first, 'Tag 12', 21.5), tagAt(second, 'Tag 12', 30)];
    const { t, sim, source } = started(tags, devices);
    await source.start();
    for (let round = 0; round < 3; round++) {
      // A new reading each round (the frame counter moves): the same one again would be a repeat.
      for (const d of devices) d.values.counter = round;
      sim.advertise(first);
      await handled();
      sim.advertise(second);
      await handled();
    }

    const reports = t.problems.filter((p) => p.key === 'ble.tags/Tag 12.ambiguous_name');
    expect(reports.map((p) => [p.kind, p.logged])).toEqual([['report', true]]);
    const message = reports[0]?.message ?? '';
    expect(message).toContain(`two devices advertise the name "Tag 12" at once, from ${first} and ${second}`);
    expect(message).toContain(`the one at ${second} goes on as tags/Tag 12@${second}`);
    expect(message).toContain('Match each by address, or by an identity it advertises in its data (ibeacon_uuid, eddystone_namespace)');
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'tags/Tag 12', kind: 'ambiguous_name' })).toBe(1);
    expect(deviceChannels(t.channels()).sort()).toEqual(['tags/Tag 12', `tags/Tag 12@${second}`]);
    // Six adverts, six points. The second device's first advert cannot be told from a rotation
    // yet and goes with the name; from the moment the first is heard again, each has its own.
    expect(temperatures(t.points)).toEqual([
      [21.5, { device: 'tags', local_name: 'Tag 12', unit: '°C' }],
      [30, { device: 'tags', local_name: 'Tag 12', unit: '°C' }],
      [21.5, { device: 'tags', local_name: 'Tag 12', unit: '°C' }],
      [30, { device: 'tags', local_name: 'Tag 12', address: second, unit: '°C' }],
      [21.5, { device: 'tags', local_name: 'Tag 12', unit: '°C' }],
      [30, { device: 'tags', local_name: 'Tag 12', address: second, unit: '°C' }],
    ]);
  });

  it('still tracks devices of one name on fixed addresses (public, or random static) by their address, each its own channel', async () => {
    const kitchen = 'a4:c1:38:00:00:01';
    const cellar = 'c7:3a:9e:00:00:02';
    const devices = [thermometer(kitchen, 'Tag 12'), tagAt(cellar, 'Tag 12', 30)];
    const { t, sim, source } = started(tags, devices);
    await source.start();
    for (let round = 0; round < 2; round++) {
      for (const d of devices) d.values.counter = round;
      sim.advertise(kitchen);
      sim.advertise(cellar);
      await handled();
    }

    expect(deviceChannels(t.channels()).sort()).toEqual([`tags/${kitchen}`, `tags/${cellar}`]);
    expect(temperatures(t.points).map(([, tags]) => (tags as Record<string, string>).address)).toEqual([kitchen, cellar, kitchen, cellar]);
    expect(t.problems.filter((p) => p.key.endsWith('.ambiguous_name'))).toEqual([]);
    expect(await t.metric('fieldbridge_ble_address_changes_total', {})).toBe(0);
  });
});
