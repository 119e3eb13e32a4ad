import { describe, expect, it } from 'vitest';
import { parseAdStructures } from '../src/advert/ad-structures.js';
import type { Advert } from '../src/advert/advert.js';
import { formatRecordLine, parseRecordLine } from '../src/advert/record.js';
import { decodeBthome } from '../src/decode/bthome.js';
import { parseBindKey } from '../src/decode/bthome-crypto.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { compileCustomDecoder } from '../src/decode/custom.js';
import { ADVERT_DECODERS, decodeAdvert } from '../src/decode/decode-advert.js';
import { decodeEddystone } from '../src/decode/eddystone.js';
import { decodeIbeacon } from '../src/decode/ibeacon.js';
import { decodeRuuvi } from '../src/decode/ruuvi.js';
import { decodeAtc1441, decodePvvx } from '../src/decode/xiaomi.js';
import { decodeCharacteristic, GATT_CHARACTERISTICS } from '../src/gatt/characteristics.js';
import { DECODE_PROBLEM_KINDS, type DecodeResult } from '../src/measurement.js';
import { randomBytes, seeded } from './helpers/random.js';

// Random input must never throw, and whatever comes out must be sendable: finite numbers,
// booleans or strings, named measurements, problems of a known kind. Each decoder runs a fixed
// number of inputs; all of them are linear in their input, so the time is bounded by the sizes.
const ROUNDS = 20_000;

/** What is wrong with `result`, or undefined; checked without expect() so 20,000 rounds stay fast. */
function flaw(result: DecodeResult): string | undefined {
  for (const m of result.measurements) {
    if (typeof m.measurement !== 'string' || m.measurement.length === 0) return `unnamed measurement ${JSON.stringify(m)}`;
    if (typeof m.value === 'number' ? !Number.isFinite(m.value) : typeof m.value !== 'boolean' && typeof m.value !== 'string') return `bad value ${String(m.value)}`;
  }
  for (const p of result.problems) if (!DECODE_PROBLEM_KINDS.includes(p.kind)) return `unknown problem kind ${p.kind}`;
  return undefined;
}

function check(result: DecodeResult): void {
  const found = flaw(result);
  if (found) expect.fail(found);
}

function fuzz(name: string, decode: (bytes: Uint8Array) => DecodeResult, prefixes: number[][], maxLength = 40): void {
  it(`${name}: random bytes never throw`, () => {
    const random = seeded(name.length * 7919 + 1);
    for (let i = 0; i < ROUNDS; i++) {
      const prefix = prefixes[i % prefixes.length]!;
      check(decode(randomBytes(random, maxLength, prefix)));
    }
  });
}

const key = parseBindKey('231d39c1d7cc1ab1aee224cd096db932');
const state = new BthomeState(64);
const custom = compileCustomDecoder({
  source: { kind: 'manufacturer' },
  fields: [
    { measurement: 'a', offset: 0, type: 'float32' },
    { measurement: 'b', offset: 3, type: 'i24', byteOrder: 'big', scale: 0.001, valueOffset: -3 },
    { measurement: 'c', offset: 5, type: 'bits', bytes: 4, bit: 7, bits: 20 },
    { measurement: 'd', offset: 30, type: 'u32' },
  ],
});

describe('fuzzed decoders', () => {
  fuzz('bthome', (b) => decodeBthome(b, { address: 'a4:c1:38:00:00:01', state }), [[], [0x40], [0x44], [0x40, 0x53], [0x40, 0x00]]);
  fuzz('bthome encrypted', (b) => decodeBthome(b, { address: 'a4:c1:38:00:00:02', bindKey: key, state }), [[0x41], [0x40]]);
  fuzz('ruuvi', decodeRuuvi, [[], [0x99, 0x04, 0x05], [0x99, 0x04]]);
  fuzz('atc1441', decodeAtc1441, [[]], 16);
  fuzz('pvvx', decodePvvx, [[]], 16);
  fuzz('atc1441 with a bind key', (b) => decodeAtc1441(b, { address: 'a4:c1:38:00:00:05', bindKey: key, state }), [[]], 16);
  fuzz('pvvx with a bind key', (b) => decodePvvx(b, { address: 'a4:c1:38:00:00:06', bindKey: key, state }), [[]], 16);

  it('the firmware\'s encrypted formats: random bytes of their lengths (8, 11) never throw, with a key, a random key or none', () => {
    const random = seeded(181);
    for (let i = 0; i < ROUNDS; i++) {
      const length = i % 2 === 0 ? 8 : 11;
      const data = randomBytes(random, 0, Array.from({ length }, () => Math.floor(random() * 256)));
      const advert: Advert = { t: i, address: `a4:c1:38:00:01:${(i % 256).toString(16).padStart(2, '0')}`, addressType: 'public', rssi: -70, serviceData: [{ uuid: '181a', data }] };
      const bindKey = i % 3 === 0 ? key : i % 3 === 1 ? randomBytes(random, 0, Array.from({ length: 16 }, () => Math.floor(random() * 256))) : undefined;
      for (const decoder of ['atc', 'pvvx'] as const) {
        const r = decodeAdvert(advert, { decoder, state, counterRestartAfterMs: 60_000, ...(bindKey ? { bindKey } : {}) });
        check(r);
        if (r.measurements.length === 0 && r.problems.length === 0 && !r.duplicate) expect.fail(`no values and no problem for ${Buffer.from(data).toString('hex')}`);
      }
    }
  });
  fuzz('ibeacon', decodeIbeacon, [[], [0x4c, 0x00, 0x02, 0x15], [0x4c, 0x00]]);
  fuzz('eddystone', decodeEddystone, [[], [0x00], [0x10], [0x20, 0x00], [0x20]]);
  fuzz('custom', (b) => custom.decode(b), [[]]);
  fuzz('characteristics', (b) => decodeCharacteristic(Object.keys(GATT_CHARACTERISTICS)[b.length % 14]!, b), [[], [0x1f], [0x06]], 24);
  fuzz('AD structures', (b) => ({ measurements: [], problems: parseAdStructures(b).problems }), [[]], 62);

  it('decodeAdvert: random adverts through every decoder never throw', () => {
    const random = seeded(42);
    for (let i = 0; i < ROUNDS; i++) {
      const advert: Advert = { t: i, address: 'a4:c1:38:00:00:03', addressType: 'random', rssi: -70 };
      const ad = parseAdStructures(randomBytes(random, 31, [0x08, 0x16, 0xd2, 0xfc]));
      Object.assign(advert, ad.fields);
      for (const decoder of ADVERT_DECODERS) check(decodeAdvert(advert, { decoder, state, custom, rssi: true, ...(i % 2 ? { bindKey: key } : {}) }));
    }
  });

  it('parseRecordLine: random and mutated lines never throw', () => {
    const random = seeded(7);
    const good = formatRecordLine({ t: 1, address: 'a4:c1:38:00:00:04', addressType: 'public', rssi: -1, name: 'x', manufacturerData: new Uint8Array([1, 2, 3]), serviceData: [{ uuid: 'fcd2', data: new Uint8Array([0x40]) }] });
    for (let i = 0; i < ROUNDS; i++) {
      const chars = [...good];
      for (let k = 0; k < 3; k++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(32 + Math.floor(random() * 95));
      const r = parseRecordLine(i % 4 === 0 ? Buffer.from(randomBytes(random, 60)).toString('latin1') : chars.join(''));
      if (r.ok ? !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(r.advert.address) : typeof r.reason !== 'string') expect.fail(JSON.stringify(r));
    }
  });
});
