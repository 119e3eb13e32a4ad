import { describe, expect, it } from 'vitest';
import { decodeCharacteristic, GATT_CHARACTERISTICS } from '../src/gatt/characteristics.js';
import { ieeeFloat, ieeeSfloat } from '../src/gatt/ieee11073.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');
const values = (uuid: string, data: string) => decodeCharacteristic(uuid, hex(data));

// Every expected value below is worked by hand from the GATT Specification Supplement's field
// layout (little-endian, the stated resolution); the comment beside each shows the arithmetic.
describe('standard characteristics', () => {
  it('reads heart rate: uint8 and uint16 values, sensor contact, energy and RR intervals', () => {
    // flags 0x06: uint8 value, contact supported and detected; 0x48 = 72 bpm
    expect(values('2a37', '06 48').measurements).toEqual([
      { measurement: 'heart_rate', value: 72, unit: 'bpm' },
      { measurement: 'sensor_contact', value: true },
    ]);
    // flags 0x04: contact supported, not detected
    expect(values('2a37', '04 48').measurements[1]).toEqual({ measurement: 'sensor_contact', value: false });
    // flags 0x19: uint16 value 0x013c = 316, energy 0x03e8 = 1000 kJ, RR 0x0400/1024 = 1 s and 0x0380/1024 = 0.875 s
    expect(values('0x2A37', '19 3c01 e803 0004 8003').measurements).toEqual([
      { measurement: 'heart_rate', value: 316, unit: 'bpm' },
      { measurement: 'energy_expended', value: 1000, unit: 'kJ' },
      { measurement: 'rr_interval', value: 1, unit: 's', index: 0, event: true },
      { measurement: 'rr_interval', value: 0.875, unit: 's', index: 1, event: true },
    ]);
    expect(values('2a37', '01 48').problems.map((p) => p.kind)).toEqual(['truncated']);
    const cut = values('2a37', '10 48 2003 80');
    expect(cut.measurements).toHaveLength(2);
    expect(cut.problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('reads temperature measurement: IEEE-11073 FLOAT, units, time stamp and type', () => {
    // 0xff00016c: exponent -1, mantissa 364 -> 36.4
    expect(values('2a1c', '00 6c0100ff').measurements).toEqual([{ measurement: 'temperature', value: 36.4, unit: '°C' }]);
    // Fahrenheit: mantissa 0x0003d7 = 983 -> 98.3
    expect(values('2a1c', '01 d70300ff').measurements).toEqual([{ measurement: 'temperature', value: 98.3, unit: '°F' }]);
    // time stamp 0x07e4-12-31 23:59:59, type 2 (body)
    expect(values('2a1e', '06 6c0100ff e4070c1f173b3b 02').measurements).toEqual([
      { measurement: 'temperature', value: 36.4, unit: '°C' },
      { measurement: 'measured_at', value: '2020-12-31T23:59:59' },
      { measurement: 'temperature_type', value: 'body' },
    ]);
    // NaN (mantissa 0x7fffff, exponent 0) means no reading
    expect(values('2a1c', '00 ffff7f00').measurements).toEqual([]);
    expect(values('2a1c', '02 6c0100ff e407').problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('reads the environmental sensing and battery scalars with their "unknown" markers', () => {
    expect(values('2a6e', 'c409').measurements).toEqual([{ measurement: 'temperature', value: 25, unit: '°C' }]); // 2500 x 0.01
    expect(values('2a6e', '0080').measurements).toEqual([]); // 0x8000: unknown
    expect(values('2a6e', 'f6ff').measurements[0]?.value).toBe(-0.1); // -10 x 0.01
    expect(values('2a6f', 'bf13').measurements[0]?.value).toBe(50.55); // 5055 x 0.01
    expect(values('2a6d', 'd8490f00').measurements).toEqual([{ measurement: 'pressure', value: 100194.4, unit: 'Pa' }]); // 0x0f49d8 = 1001944 x 0.1
    expect(values('2a19', '64').measurements).toEqual([{ measurement: 'battery', value: 100, unit: '%' }]);
    expect(values('2a19', '65').problems.map((p) => p.kind)).toEqual(['malformed']);
    expect(values('2a1f', 'eb00').measurements[0]?.value).toBe(23.5); // 235 x 0.1
    expect(values('2a6c', '18fcff').measurements[0]).toEqual({ measurement: 'elevation', value: -10, unit: 'm' }); // -1000 x 0.01
    expect(values('2afb', 'ffffff').measurements).toEqual([]);
    expect(values('2afb', '39420f').measurements[0]?.value).toBe(9999.93); // 0x0f4239 = 999993 x 0.01
    expect(values('2b8c', '2003').measurements).toEqual([{ measurement: 'co2', value: 800, unit: 'ppm' }]);
    expect(values('2a38', '01').measurements).toEqual([{ measurement: 'body_sensor_location', value: 'chest' }]);
    expect(values('2a6e', 'c4').problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('names characteristics it cannot decode instead of guessing', () => {
    const r = values('00002a99-0000-1000-8000-00805f9b34fb', '01');
    expect(r.problems).toEqual([{ kind: 'unsupported', format: '2a99', message: expect.stringContaining('custom decoder') }]);
    expect(Object.keys(GATT_CHARACTERISTICS)).toEqual(expect.arrayContaining(['2a19', '2a1c', '2a37', '2a6d', '2a6e', '2a6f']));
  });
});

describe('IEEE-11073 numbers', () => {
  it('reads FLOAT and SFLOAT with exact decimals and their special values', () => {
    expect(ieeeFloat(0xff00016c)).toBe(36.4);
    expect(ieeeFloat(0x02000003)).toBe(300); // 3 x 10^2
    expect(ieeeFloat(0x00ffffff)).toBe(-1); // mantissa -1, exponent 0
    for (const special of [0x007fffff, 0x00800000, 0x007ffffe, 0x00800002, 0x00800001]) expect(ieeeFloat(special)).toBeUndefined();
    expect(ieeeSfloat(0xf16c)).toBe(36.4);
    expect(ieeeSfloat(0xffff)).toBe(-0.1);
    expect(ieeeSfloat(0x1005)).toBe(50);
    for (const special of [0x07ff, 0x0800, 0x07fe, 0x0802, 0x0801]) expect(ieeeSfloat(special)).toBeUndefined();
  });
});
