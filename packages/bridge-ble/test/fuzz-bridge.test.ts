import { validatePoint } from '@fieldbridge/core';
import { createTestContext, seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { Advert } from '../src/advert/advert.js';
import { formatRecordLine, parseRecordLine } from '../src/advert/record.js';
import { bleConfigSchema } from '../src/config.js';
import { createMatcher } from '../src/match.js';
import { resolveBle } from '../src/resolve.js';
import { formatScan } from '../src/scan-format.js';
import { createBleSource } from '../src/source.js';
import { createSurvey } from '../src/survey.js';

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

// Beacon fleets: random adverts that start as the fleet's iBeacon or Eddystone frames (so they
// reach the beacon entries) and go on with random bytes, cut anywhere, with TLM and unknown
// frames at the same addresses; through the source, and through --scan's survey and entries.
const beaconSection = bleConfigSchema.parse({
  rssi: true,
  devices: [
    { name: 'rooms', ibeacon_uuid: 'f7826da6-4fa2-4e98-8024-bc5b71e0893e', decoder: 'ibeacon', max_devices: 20 },
    { name: 'floor', ibeacon_uuid: 'f7826da6-4fa2-4e98-8024-bc5b71e0893e', ibeacon_major: 2, decoder: 'custom', custom: { source: 'manufacturer', company_id: 0x004c, fields: [{ measurement: 'minor', offset: 22, type: 'u16', byte_order: 'big' }] } },
    { name: 'assets', eddystone_namespace: 'edd1ebeac04e5defa017', decoder: 'eddystone', max_devices: 20 },
  ],
});
const ROOMS_UUID_BYTES = [0xf7, 0x82, 0x6d, 0xa6, 0x4f, 0xa2, 0x4e, 0x98, 0x80, 0x24, 0xbc, 0x5b, 0x71, 0xe0, 0x89, 0x3e];
const NAMESPACE_BYTES = [0xed, 0xd1, 0xeb, 0xea, 0xc0, 0x4e, 0x5d, 0xef, 0xa0, 0x17];

function randomBeaconAdvert(random: () => number, i: number): Advert {
  const address = `d0:be:ac:00:${Math.floor(random() * 4).toString(16).padStart(2, '0')}:${Math.floor(random() * 64).toString(16).padStart(2, '0')}`;
  const advert: Advert = { t: 1_767_225_600_000 + i, address, addressType: 'random', rssi: -Math.floor(random() * 128) };
  const cut = (head: number[], max: number): Uint8Array => {
    const whole = [...head, ...bytes(random, max)];
    return Uint8Array.from(whole.slice(0, random() < 0.3 ? Math.floor(random() * whole.length) : whole.length));
  };
  const major = random() < 0.5 ? [0x00, 0x02] : [];
  if (random() < 0.5) advert.manufacturerData = cut([0x4c, 0x00, random() < 0.9 ? 0x02 : 0x10, random() < 0.9 ? 0x15 : 0x05, ...ROOMS_UUID_BYTES, ...major], 8);
  const frame = [0x00, 0x00, 0x10, 0x20, 0x20, 0x30, 0x40][Math.floor(random() * 7)]!;
  if (random() < 0.5) advert.serviceData = [{ uuid: 'feaa', data: cut(frame === 0x00 ? [frame, Math.floor(random() * 256), ...NAMESPACE_BYTES] : [frame], 20) }];
  if (advert.manufacturerData !== undefined && advert.manufacturerData.length < 2) delete advert.manufacturerData;
  return advert;
}

describe('fuzzed beacon adverts', () => {
  it(`never throw through the source or --scan, give only points the gateway accepts, and keep bounded state (seed ${SEED})`, () => {
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(beaconSection, t.ctx);
    const survey = createSurvey(createMatcher(resolveBle(beaconSection).config.devices));
    const random = seededRandom(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      const line = parseRecordLine(formatRecordLine(randomBeaconAdvert(random, i)));
      if (!line.ok) expect.fail(`round ${i}: the record line of a random advert does not parse: ${line.reason}`);
      source.ingest(line.advert);
      survey.advert(line.advert);
    }
    expect(t.points.map(validatePoint).filter((r) => r !== undefined)).toEqual([]);
    expect(new Set(t.points.map((p) => p.tags?.device))).toEqual(new Set(['rooms', 'floor', 'assets']));
    expect(source.devices().filter((d) => d.device === 'rooms').length).toBeLessThanOrEqual(20);
    expect(source.devices().filter((d) => d.device === 'assets').length).toBeLessThanOrEqual(20);
    expect(formatScan(survey.result(), { heardFrom: 'the fuzz' })).toMatch(/^\d+ devices heard in the fuzz/);
  });
});
