import { validatePoint } from '@fieldbridge/core';
import { createTestContext, seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { Advert } from '../src/advert/advert.js';
import { formatRecordLine, parseRecordLine } from '../src/advert/record.js';
import { bleConfigSchema } from '../src/config.js';
import { createBleSource } from '../src/source.js';

const ROUNDS = 20_000;
const SEED = 20_260_101;

// Every decoder mapped, by address and by name, so random adverts reach each of them.
const section = bleConfigSchema.parse({
  rssi: true,
  max_rate_hz: 1000,
  devices: [
    { name: 'bthome', address: '00:00:00:00:00:00', decoder: 'bthome' },
    { name: 'secret', address: '00:00:00:00:00:01', decoder: 'bthome', bind_key: '231d39c1d7cc1ab1aee224cd096db932' },
    { name: 'ruuvi', address: '00:00:00:00:00:02', decoder: 'ruuvi' },
    { name: 'atc', address: '00:00:00:00:00:03', decoder: 'atc' },
    { name: 'pvvx', address: '00:00:00:00:00:04', decoder: 'pvvx' },
    { name: 'ibeacon', address: '00:00:00:00:00:05', decoder: 'ibeacon' },
    { name: 'eddystone', address: '00:00:00:00:00:06', decoder: 'eddystone' },
    { name: 'custom', address: '00:00:00:00:00:07', decoder: 'custom', custom: { source: 'manufacturer', fields: [{ measurement: 'a', offset: 2, type: 'float32' }, { measurement: 'b', offset: 6, type: 'bits', bytes: 4, bit: 3, bits: 20 }] } },
    { name: 'strap', address: '00:00:00:00:00:08', decoder: 'gatt', characteristics: [{ uuid: '2a37', mode: 'notify' }] },
    { name: 'named', local_name_prefix: 'x', decoder: 'bthome', metric: '{name}.{measurement}', max_devices: 50 },
  ],
});

const UUIDS = ['fcd2', '181a', 'feaa', '1234'];
const bytes = (random: () => number, max: number): Uint8Array => Uint8Array.from({ length: Math.floor(random() * (max + 1)) }, () => Math.floor(random() * 256));

function randomAdvert(random: () => number, i: number): Advert {
  const octet = Math.floor(random() * 12);
  const address = `00:00:00:00:${random() < 0.5 ? '00' : 'ff'}:${octet.toString(16).padStart(2, '0')}`;
  const advert: Advert = { t: 1_767_225_600_000 + i, address, addressType: 'public', rssi: -Math.floor(random() * 128) };
  if (random() < 0.3) {
    // A crowd of named devices (random addresses): the name-prefix entry must stay bounded.
    advert.name = `x${'y'.repeat(Math.floor(random() * 260))}`.slice(0, 248);
    advert.address = `aa:bb:${Math.floor(random() * 256).toString(16).padStart(2, '0')}:00:00:${octet.toString(16).padStart(2, '0')}`;
  }
  if (random() < 0.6) {
    const company = [[0x99, 0x04, 0x05], [0x4c, 0x00, 0x02, 0x15], [0xff, 0xff], []][Math.floor(random() * 4)]!;
    advert.manufacturerData = Uint8Array.from([...company, ...bytes(random, 30)]);
    if (advert.manufacturerData.length < 2) delete advert.manufacturerData;
  }
  if (random() < 0.7) advert.serviceData = [{ uuid: UUIDS[Math.floor(random() * UUIDS.length)]!, data: Uint8Array.from([random() < 0.5 ? 0x40 : 0x41, ...bytes(random, 30)]) }];
  return advert;
}

describe('fuzzed adverts through the whole advert path of the bridge', () => {
  it(`never throw, give only points the gateway accepts, and keep bounded state (seed ${SEED})`, () => {
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(section, t.ctx);
    const random = seededRandom(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      const advert = randomAdvert(random, i);
      // Through the record format too, as a replayed advert would come.
      const line = parseRecordLine(formatRecordLine(advert));
      if (!line.ok) expect.fail(`round ${i}: the record line of a random advert does not parse: ${line.reason}`);
      source.ingest(line.advert);
    }
    const bad = t.points.map(validatePoint).filter((r) => r !== undefined);
    expect(bad).toEqual([]);
    expect(t.points.length).toBeGreaterThan(1000);
    expect(source.devices().filter((d) => d.device === 'named')).toHaveLength(50);
    expect(source.devices().length).toBeLessThanOrEqual(9 + 50);
  });
});
