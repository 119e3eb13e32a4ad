import { describe, expect, it } from 'vitest';
import { BYTE_ORDERS } from '../src/config.js';
import { decodeAnswer, decodePoint, decodeRegisters } from '../src/decode.js';
import { encodeRegisters } from '../src/encode.js';
import { resolveConfig } from '../src/resolve.js';
import { oneDevice } from './helpers/mapping.js';

describe('float16', () => {
  // Worked out by hand from sign | exponent (5 bits, bias 15) | fraction (10 bits).
  it.each([
    [0x3c00, 1], // 0 01111 0000000000: 2^0
    [0xc000, -2], // 1 10000 0000000000: -2^1
    [0x7bff, 65504], // 0 11110 1111111111: (2 - 2^-10) * 2^15, the largest finite
    [0x0400, 0.00006104], // 0 00001 0000000000: 2^-14 = 6.103515625e-5, the smallest normal, as its shortest decimal
    [0x0001, 6e-8], // 0 00000 0000000001: 2^-24 = 5.96e-8, the smallest subnormal; 6e-8 is the shortest decimal reading back to it
    [0x03ff, 0.000061], // the largest subnormal, 1023 * 2^-24 = 6.0975551605e-5 (6.1e-5 reads back to it)
    [0x3555, 0.3333], // 0 01101 0101010101: 1365/1024 * 2^-2 = 0.333251953125, the half nearest 0.3333
    [0x6801, 2050], // 0 11010 0000000001: 1025 * 2, a whole number, sent as it is
    [0x7bfe, 65472], // 65504 - 32: whole numbers are never shortened (65470 reads back to it too)
    [0x2e66, 0.1], // 0.0999755859375, read as the 0.1 it was written from
    [0x4d20, 20.5], // 0 10011 0100100000: 1.28125 * 16
    [0x0000, 0],
  ])('0x%s reads %s', (bits, value) => {
    expect(decodeRegisters([bits], 0, { type: 'float16' })).toBe(value);
  });

  it('gives -0 for 0x8000, the infinities for 0x7c00 and 0xfc00, and NaN for every NaN pattern', () => {
    expect(Object.is(decodeRegisters([0x8000], 0, { type: 'float16' }), -0)).toBe(true);
    expect(decodeRegisters([0x7c00], 0, { type: 'float16' })).toBe(Number.POSITIVE_INFINITY);
    expect(decodeRegisters([0xfc00], 0, { type: 'float16' })).toBe(Number.NEGATIVE_INFINITY);
    for (const nan of [0x7c01, 0x7e00, 0x7fff, 0xfe00]) expect(decodeRegisters([nan], 0, { type: 'float16' })).toBeNaN();
  });

  it('swaps the two bytes under BADC and DCBA only, as int16 does', () => {
    expect(decodeRegisters([0x3c00], 0, { type: 'float16', byteOrder: 'CDAB' })).toBe(1);
    expect(decodeRegisters([0x003c], 0, { type: 'float16', byteOrder: 'BADC' })).toBe(1);
    expect(decodeRegisters([0x003c], 0, { type: 'float16', byteOrder: 'DCBA' })).toBe(1);
  });

  it('encodes to the nearest half, ties to even, and round-trips under every byte order', () => {
    expect(encodeRegisters('float16', 1)).toEqual([0x3c00]);
    expect(encodeRegisters('float16', 65504)).toEqual([0x7bff]);
    expect(encodeRegisters('float16', 65520)).toEqual([0x7c00]); // halfway to 2^16 rounds to infinity
    expect(encodeRegisters('float16', 2049)).toEqual([0x6800]); // halfway between 2048 and 2050: the even one
    expect(encodeRegisters('float16', 2 ** -25)).toEqual([0x0000]); // halfway between 0 and 2^-24: the even one
    expect(encodeRegisters('float16', 3 * 2 ** -25)).toEqual([0x0002]);
    expect(encodeRegisters('float16', -2, 'BADC')).toEqual([0x00c0]);
    expect(encodeRegisters('float16', -0)).toEqual([0x8000]);
    for (const order of BYTE_ORDERS) {
      for (const value of [-2, 0.1, 21.5, 65504, 6e-8]) {
        expect(decodeRegisters(encodeRegisters('float16', value, order), 0, { type: 'float16', byteOrder: order })).toBe(value);
      }
    }
  });
});

describe('int8 and uint8', () => {
  it('read the byte named, as it arrives, under every byte order', () => {
    // 0x9c07: high byte 0x9c (-100 as int8, 156 as uint8), low byte 0x07.
    for (const order of BYTE_ORDERS) {
      expect(decodeRegisters([0x9c07], 0, { type: 'int8', byte: 'high', byteOrder: order })).toBe(-100);
      expect(decodeRegisters([0x9c07], 0, { type: 'uint8', byte: 'high', byteOrder: order })).toBe(156);
      expect(decodeRegisters([0x9c07], 0, { type: 'int8', byte: 'low', byteOrder: order })).toBe(7);
      expect(decodeRegisters([0x07ff], 0, { type: 'int8', byte: 'low', byteOrder: order })).toBe(-1);
      expect(decodeRegisters([0x07ff], 0, { type: 'uint8', byte: 'low', byteOrder: order })).toBe(255);
    }
  });

  it('scale and offset like any number', () => {
    expect(decodePoint({ table: 'holding', type: 'int8', byte: 'low', scale: 0.5, offset: 20 }, [0x00fb], 0)).toBe(17.5);
  });
});

describe('bitfield', () => {
  it('reads bit..bit+bits-1 as an unsigned integer, once the byte order is undone as for bit', () => {
    // 0xa5c3 = 1010 0101 1100 0011
    const word = 0xa5c3;
    const field = (bit: number, bits: number, byteOrder: 'ABCD' | 'BADC' = 'ABCD', w = word): unknown =>
      decodeRegisters([w], 0, { type: 'bitfield', bit, bits, byteOrder });
    expect(field(0, 4)).toBe(0x3);
    expect(field(4, 4)).toBe(0xc);
    expect(field(8, 8)).toBe(0xa5);
    expect(field(5, 3)).toBe(0b110);
    expect(field(15, 1)).toBe(1);
    expect(field(0, 16)).toBe(0xa5c3);
    expect(field(4, 4, 'BADC', 0xc3a5)).toBe(0xc);
    expect(decodeRegisters([0xc3a5], 0, { type: 'bit', bit: 15, byteOrder: 'BADC' })).toBe(true);
  });

  it('scales as a number', () => {
    expect(decodePoint({ table: 'input', type: 'bitfield', bit: 4, bits: 4, scale: 10 }, [0x00c0], 0)).toBe(120);
  });
});

describe('decodeAnswer with parts of registers', () => {
  const [device] = resolveConfig(oneDevice('tcp://127.0.0.1:502', [
    { metric: 'mode', table: 'holding', address: 0, type: 'uint8', byte: 'high' },
    { metric: 'trim', table: 'holding', address: 0, type: 'int8', byte: 'low', unit: 'K' },
    { metric: 'state', table: 'holding', address: 1, type: 'bitfield', bit: 0, bits: 4 },
    { metric: 'gear', table: 'holding', address: 1, type: 'bitfield', bit: 4, bits: 4 },
    { metric: 'running', table: 'holding', address: 1, type: 'bit', bit: 15 },
    { metric: 'setpoint', table: 'holding', address: 2, type: 'float16' },
  ]));
  const request = { address: 0, points: device!.points };

  it('gives numbers as class metric and the bit as an event', () => {
    const { points, problems } = decodeAnswer(request, [0x02fd, 0x8035, 0x4d20], 5);
    expect(problems).toEqual([]);
    expect(points.map((p) => [p.metric, p.value, p.class])).toEqual([
      ['mode', 2, 'metric'],
      ['trim', -3, 'metric'],
      ['state', 5, 'metric'],
      ['gear', 3, 'metric'],
      ['running', true, 'event'],
      ['setpoint', 20.5, 'metric'],
    ]);
    expect(points[1]?.tags).toEqual({ device: 'plc', unit: 'K' });
  });

  it('reports a float16 NaN or infinity as non_finite, as float32 does, and a missing register as bad_response', () => {
    expect(decodeAnswer(request, [0, 0, 0x7e00], 5).problems).toEqual([
      { kind: 'non_finite', point: 5, metric: 'setpoint', message: 'setpoint decoded to NaN (float16 ABCD at holding 2); not sent. Check byte_order with bridge-modbus --probe' },
    ]);
    expect(decodeAnswer(request, [0, 0, 0xfc00], 5).problems.map((p) => p.message)).toEqual([expect.stringContaining('setpoint decoded to -Infinity')]);
    const short = decodeAnswer(request, [0x02fd], 5);
    expect(short.points.map((p) => p.metric)).toEqual(['mode', 'trim']);
    expect(short.problems.map((p) => [p.metric, p.kind])).toEqual([['state', 'bad_response'], ['gear', 'bad_response'], ['running', 'bad_response'], ['setpoint', 'bad_response']]);
  });
});
