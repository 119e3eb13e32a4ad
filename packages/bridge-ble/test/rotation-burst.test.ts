// A tag that rotates its random address in the middle of a burst: the reading it advertises
// several times in a row comes from the old address, then from the new one. noble drives the
// simulated adapter.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { handled, sourceUnderTest, thermometer, type Thermometer } from './helpers/source.js';

const track = trackCleanups();
const tags = { devices: [{ name: 'tags', local_name_prefix: 'Tag ', decoder: 'atc' }] };

function tagAt(address: string): Thermometer {
  const device = thermometer(address, 'Tag 12');
  device.addressType = 'random';
  // The firmware's own MAC in its data: it does not rotate with the advertising address.
  device.values.mac = 'a4:c1:38:12:34:56';
  return device;
}

describe('a tag whose address changes mid-burst', () => {
  it('gives the reading once, though an advert from its old address comes late: no second device, no ambiguity said', async () => {
    const old = tagAt('5a:11:00:00:00:01');
    const now = tagAt('5a:11:00:00:00:02');
    const s = sourceUnderTest(tags, [old, now]);
    track.defer(() => s.source.stop());
    await s.source.start();
    // One advert from the old address comes after the first from the new one (the controller
    // reports them out of order, or the tag's advertising sets overlap at the rotation).
    for (const address of [old.address, old.address, now.address, old.address, now.address]) {
      s.sim.advertise(address);
      await handled();
    }
    expect(s.t.points.filter((p) => p.metric === 'tags.temperature').map((p) => p.tags)).toEqual([{ device: 'tags', local_name: 'Tag 12', unit: '°C' }]);
    expect(Object.keys(s.t.channels()).filter((c) => c !== 'adapter')).toEqual(['tags/Tag 12']);
    expect(s.t.problems).toEqual([]);
    expect(await s.t.metric('fieldbridge_ble_duplicates_total', {})).toBe(4);
    expect(s.source.devices()).toMatchObject([{ channel: 'tags/Tag 12', address: now.address }]);
  });
});
