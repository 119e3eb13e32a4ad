import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { detectFormats } from '../src/decode/decode-advert.js';
import { handled, sourceUnderTest } from './helpers/source.js';

// RuuviTags on firmware before 2.x send data format 3 (RAWv1): no measurement counter, no MAC.

const track = trackCleanups();
const TAG = 'cb:b8:33:4c:88:4f';
// The specification's valid-data vector, company id first: 20.5 %, 26.3 °C, 102766 Pa, ...
const RAWV1 = Buffer.from('9904' + '03291a1ece1efc18f94202ca0b53', 'hex');

describe('a RuuviTag on data format 3 (RAWv1)', () => {
  it('is listed by --scan as ruuvi', () => {
    expect(detectFormats({ t: 0, address: TAG, addressType: 'random', rssi: -60, manufacturerData: RAWV1 })).toEqual(['ruuvi']);
  });

  it('sends every advert: without a counter, the same bytes are a new reading of steady values, not a repeat', async () => {
    const s = sourceUnderTest({ devices: [{ name: 'fridge', address: TAG, decoder: 'ruuvi' }] }, [{ address: TAG, addressType: 'random', advertise: () => ({ manufacturerData: RAWV1 }) }]);
    track.defer(() => s.source.stop());
    await s.source.start();
    s.sim.advertise();
    await handled();
    s.sim.advertise();
    await s.t.waitFor(() => s.t.points.length >= 14, 'two readings');
    expect(s.t.points.filter((p) => p.metric === 'fridge.temperature').map((p) => p.value)).toEqual([26.3, 26.3]);
    expect(await s.t.metric('fieldbridge_ble_duplicates_total', {})).toBe(0);
  });
});
