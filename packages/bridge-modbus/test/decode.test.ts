import { describe, expect, it } from 'vitest';
import { BYTE_ORDERS, type PointType } from '../src/config.js';
import { applyScale, decodeAnswer, decodeBit, decodePoint, decodeRegisters, pointWidth } from '../src/decode.js';
import { encodeRegisters } from '../src/encode.js';
import { resolveConfig } from '../src/resolve.js';
import { oneDevice } from './helpers/mapping.js';

describe('decodeRegisters', () => {
  it('reads the same float under each byte order from the matching layout', () => {
    // 12.375 is 0x41460000: A=41 B=46 C=00 D=00.
    expect(decodeRegisters([0x4146, 0x0000], 0, { type: 'float32', byteOrder: 'ABCD' })).toBe(12.375);
    expect(decodeRegisters([0x4641, 0x0000], 0, { type: 'float32', byteOrder: 'BADC' })).toBe(12.375);
    expect(decodeRegisters([0x0000, 0x4146], 0, { type: 'float32', byteOrder: 'CDAB' })).toBe(12.375);
    expect(decodeRegisters([0x0000, 0x4641], 0, { type: 'float32', byteOrder: 'DCBA' })).toBe(12.375);
  });

  it('gives a float32 as the shortest decimal that reads back to it, and leaves float64 untouched', () => {
    // 1459.4376 widens to 1459.4376220703125 as a float64; a user typed 1459.4376.
    for (const order of BYTE_ORDERS) {
      expect(decodeRegisters(encodeRegisters('float32', 1459.4376, order), 0, { type: 'float32', byteOrder: order })).toBe(1459.4376);
      expect(decodeRegisters(encodeRegisters('float64', 0.1 + 0.2, order), 0, { type: 'float64', byteOrder: order })).toBe(0.30000000000000004);
    }
    expect(decodeRegisters([0x3dcc, 0xcccd], 0, { type: 'float32', byteOrder: 'ABCD' })).toBe(0.1);
  });

  it('shows the classic symptom: a word-swapped float read as ABCD is a tiny denormal', () => {
    const wrong = decodeRegisters([0x0000, 0x4146], 0, { type: 'float32', byteOrder: 'ABCD' }) as number;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThan(1e-40);
  });

  it('returns bigints for 64-bit integers and reads at an offset', () => {
    expect(decodeRegisters([9, 0, 0, 0, 1], 1, { type: 'uint64' })).toBe(1n);
    expect(decodeRegisters([0xffff, 0xffff, 0xffff, 0xffff], 0, { type: 'int64' })).toBe(-1n);
  });

  it('throws a RangeError when the answer is short', () => {
    expect(() => decodeRegisters([1], 0, { type: 'uint32' })).toThrow(RangeError);
    expect(() => decodeBit([true], 3)).toThrow(RangeError);
  });

  it('refuses bool on registers', () => {
    expect(() => decodeRegisters([1], 0, { type: 'bool' })).toThrow(/coils or discrete inputs/);
  });

  it('round-trips encodeRegisters for every type and byte order', () => {
    const samples: [PointType, number | bigint][] = [
      ['int16', -2], ['uint16', 65000], ['int32', -70000], ['uint32', 4_000_000_000], ['float32', -1.5],
      ['int64', -(2n ** 62n)], ['uint64', 2n ** 63n + 5n], ['float64', Math.PI], ['bcd16', 9087], ['bcd32', 10_203_040],
    ];
    for (const order of BYTE_ORDERS) {
      for (const [type, value] of samples) {
        const words = encodeRegisters(type, value, order);
        expect(words).toHaveLength(pointWidth(type));
        expect(decodeRegisters(words, 0, { type, byteOrder: order })).toBe(value);
      }
    }
  });
});

describe('BCD', () => {
  it('reads each 4 bits as a decimal digit, most significant first, the words of bcd32 in the byte order given', () => {
    // The digits are the register's hex digits, worked out by hand.
    expect(decodeRegisters([0x1234], 0, { type: 'bcd16' })).toBe(1234);
    expect(decodeRegisters([0x0009], 0, { type: 'bcd16' })).toBe(9);
    expect(decodeRegisters([0x3412], 0, { type: 'bcd16', byteOrder: 'BADC' })).toBe(1234);
    expect(decodeRegisters([0x1234, 0x5678], 0, { type: 'bcd32' })).toBe(12_345_678);
    expect(decodeRegisters([0x5678, 0x1234], 0, { type: 'bcd32', byteOrder: 'CDAB' })).toBe(12_345_678);
    expect(decodeRegisters([0x9999, 0x9999], 0, { type: 'bcd32' })).toBe(99_999_999);
    expect(encodeRegisters('bcd32', 305, 'CDAB')).toEqual([0x0305, 0x0000]);
    expect(() => encodeRegisters('bcd16', 10_000)).toThrow(/at most 4 BCD digits/);
  });

  it('a register with a digit over 9 is a not_bcd problem naming the register as read, and the other points go on', () => {
    const [device] = resolveConfig(oneDevice('tcp://127.0.0.1:502', [
      { metric: '{device}.hours', table: 'holding', address: 10, type: 'bcd16' },
      { metric: '{device}.count', table: 'holding', address: 11 },
    ]));
    const { points, problems } = decodeAnswer({ address: 10, points: device!.points }, [0x12a4, 5], 1);
    expect(points.map((p) => [p.metric, p.value])).toEqual([['plc.count', 5]]);
    expect(problems).toEqual([
      { kind: 'not_bcd', point: 0, metric: 'plc.hours', message: 'plc.hours (bcd16 at holding 10) read 0x12A4, which is not binary-coded decimal (a digit over 9); not sent. Check the type (uint16?) and byte_order with bridge-modbus --probe' },
    ]);
  });
});

describe('applyScale and decodePoint', () => {
  it('divides by the inverse of decimal scales so 0.1 steps stay exact', () => {
    expect(applyScale(3, 0.1)).toBe(0.3);
    expect(applyScale(7, 0.01)).toBe(0.07);
    expect(applyScale(5, 2, 1)).toBe(11);
    expect(applyScale(10n, 1, -1)).toBe(9);
  });

  it('scales numbers and leaves booleans and strings alone', () => {
    expect(decodePoint({ table: 'holding', type: 'int16', scale: 0.5 }, [0xfffe], 0)).toBe(-1);
    expect(decodePoint({ table: 'coil', type: 'bool', scale: 2 }, [false, true], 1)).toBe(true);
    expect(decodePoint({ table: 'input', type: 'string', length: 1 }, [0x4f4b], 0)).toBe('OK');
  });
});

describe('decodeAnswer', () => {
  const [device] = resolveConfig(oneDevice('tcp://127.0.0.1:502', [
    { metric: '{device}.a', table: 'holding', address: 10, unit: 'bar' },
    { metric: '{device}.b', table: 'holding', address: 11, type: 'float32' },
    { metric: '{device}.c', table: 'holding', address: 13, type: 'string', length: 1 },
  ]));
  const request = { table: 'holding' as const, address: 10, count: 4, points: device!.points };

  it('gives one point per request point, stamped, tagged, numbers as class metric and the rest as events', () => {
    const words = [7, ...encodeRegisters('float32', 0.5), 0x4f4b];
    expect(decodeAnswer(request, words, 1234)).toEqual({
      points: [
        { metric: 'plc.a', value: 7, timestamp: 1234, tags: { device: 'plc', unit: 'bar' }, class: 'metric' },
        { metric: 'plc.b', value: 0.5, timestamp: 1234, tags: { device: 'plc' }, class: 'metric' },
        { metric: 'plc.c', value: 'OK', timestamp: 1234, tags: { device: 'plc' }, class: 'event' },
      ],
      problems: [],
    });
  });

  it('turns a short answer into bad_response problems for what is missing, and keeps the rest', () => {
    const { points, problems } = decodeAnswer(request, [7, 0x3f00], 1);
    expect(points.map((p) => p.value)).toEqual([7]);
    expect(problems).toEqual([
      { kind: 'bad_response', point: 1, metric: 'plc.b', message: 'plc.b (float32 at holding 11) could not be decoded: register 2 is missing from the response (2 read)' },
      { kind: 'bad_response', point: 2, metric: 'plc.c', message: 'plc.c (string at holding 13) could not be decoded: register 3 is missing from the response (2 read)' },
    ]);
  });

  it('gives every point its own copy of the tags', () => {
    const { points } = decodeAnswer({ address: 10, points: [device!.points[0]!, device!.points[0]!] }, [1], 1);
    expect(points[0]?.tags).not.toBe(points[1]?.tags);
  });
});
