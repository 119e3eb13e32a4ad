import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBindKey } from '../src/decode/bthome-crypto.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { decodeAdvert, type AdvertDecoderName } from '../src/decode/decode-advert.js';
import { replayRecords } from '../src/record/replay.js';
import { DEMO_BIND_KEY, DEMO_DEVICES } from '../src/sim/demo-fleet.js';
import { recordDemoFleet } from '../src/sim/demo-recording.js';

const file = new URL('../../../examples/ble/sensors.ndjson', import.meta.url);

const DECODERS: Record<string, AdvertDecoderName> = {
  [DEMO_DEVICES.bthome]: 'bthome',
  [DEMO_DEVICES.bthomeEncrypted]: 'bthome',
  [DEMO_DEVICES.ruuvi]: 'ruuvi',
  [DEMO_DEVICES.atc]: 'atc',
  [DEMO_DEVICES.pvvx]: 'pvvx',
  [DEMO_DEVICES.ibeacon]: 'ibeacon',
};

describe('examples/ble/sensors.ndjson', () => {
  it('is what the demo fleet records today (run scripts/write-example-replay.ts after changing the fleet)', async () => {
    expect(await recordDemoFleet()).toBe(readFileSync(file, 'utf8'));
  });

  it('replays into clean measurements for every device, repeats dropped', async () => {
    const state = new BthomeState();
    const bindKey = parseBindKey(DEMO_BIND_KEY);
    const measured = new Map<string, Set<string>>();
    let duplicates = 0;
    const result = await replayRecords({
      source: file.pathname,
      pace: 'fast',
      onAdvert: (advert) => {
        const decoder = DECODERS[advert.address];
        if (!decoder) return;
        const r = decodeAdvert(advert, { decoder, state, rssi: true, ...(advert.address === DEMO_DEVICES.bthomeEncrypted ? { bindKey } : {}) });
        expect(r.problems).toEqual([]);
        expect(r.found).toBe(true);
        if (r.duplicate) duplicates += 1;
        const names = measured.get(advert.address) ?? new Set();
        for (const m of r.measurements) names.add(m.measurement);
        measured.set(advert.address, names);
      },
    });
    expect(result).toMatchObject({ adverts: 420, malformed: 0 });
    expect(duplicates).toBe(12); // every fifth advert of the plain BTHome sensor
    expect([...measured.get(DEMO_DEVICES.bthomeEncrypted)!]).toEqual(['battery', 'temperature', 'humidity', 'window', 'rssi']);
    expect([...measured.get(DEMO_DEVICES.ruuvi)!]).toContain('pressure');
    expect([...measured.get(DEMO_DEVICES.ibeacon)!]).toEqual(['measured_power', 'rssi']);
  });
});
