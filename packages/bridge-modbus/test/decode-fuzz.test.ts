import { seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { BYTE_ORDERS, POINT_TYPES, TABLES, type ModbusTable, type PointType } from '../src/config.js';
import { decodeAnswer, pointWidth } from '../src/decode.js';
import type { ResolvedPoint } from '../src/resolve.js';

const ROUNDS = 1000;
/** What a peer might put in an answer besides proper registers: out of range, fractions, NaN, bits. */
const ODD_WORDS: unknown[] = [-1, 65536, 70000, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, undefined];

describe('decodeAnswer fuzz: random answers of random lengths for every type and byte order', () => {
  it.each(POINT_TYPES.flatMap((type) => BYTE_ORDERS.map((order) => [type, order] as const)))('%s %s never throws and accounts for every point', (type: PointType, order) => {
    const seed = POINT_TYPES.indexOf(type) * 16 + BYTE_ORDERS.indexOf(order) + 1;
    const random = seededRandom(seed);
    const int = (n: number): number => Math.floor(random() * n);
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Mostly the table the type belongs to, sometimes the wrong kind (bool on registers, ints on coils).
      const table: ModbusTable = random() < 0.8 ? (type === 'bool' ? (['coil', 'discrete'] as const)[int(2)]! : (['input', 'holding'] as const)[int(2)]!) : TABLES[int(4)]!;
      const bits = table === 'coil' || table === 'discrete';
      const length = type === 'string' ? 1 + int(125) : undefined;
      const count = int(bits ? 2100 : 130);
      const data = bits
        ? Array.from({ length: count }, () => (random() < 0.98 ? random() < 0.5 : ODD_WORDS[int(ODD_WORDS.length)]))
        : Array.from({ length: count }, () => (random() < 0.98 ? int(65536) : ODD_WORDS[int(ODD_WORDS.length)]));
      const points: ResolvedPoint[] = Array.from({ length: 1 + int(4) }, (_, index) => ({
        index,
        metric: `p${index}`,
        table,
        address: 100 + int(count + 8),
        type,
        width: pointWidth(type, length),
        byteOrder: order,
        ...(type === 'bit' ? { bit: int(16) } : {}),
        // Widths past bit 15 too, which checkModbus refuses: the decoder must still not throw.
        ...(type === 'bitfield' ? { bit: int(16), bits: 1 + int(16) } : {}),
        ...(type === 'int8' || type === 'uint8' ? { byte: random() < 0.5 ? ('high' as const) : ('low' as const) } : {}),
        ...(length === undefined ? {} : { length }),
        scale: random() < 0.5 ? 1 : (random() - 0.5) * 1e6,
        offset: random() < 0.5 ? 0 : (random() - 0.5) * 1e6,
        tags: { device: 'fuzz' },
      }));
      // What a value of this type reads as from this table: bits are booleans whatever the type.
      const expected = bits || type === 'bit' ? 'boolean' : type === 'string' ? 'string' : 'number';
      const result = decodeAnswer({ address: 100, points }, data as number[], 1);
      // Unscaled, a part of a register stays within what its bits can hold.
      const range = { int8: [-128, 127], uint8: [0, 255], bitfield: [0, 65535], bcd16: [0, 9999], bcd32: [0, 99_999_999] }[type as string];
      const outOfRange = (p: (typeof points)[number], value: unknown): boolean =>
        range !== undefined && p.scale === 1 && p.offset === 0 && typeof value === 'number' && (value < range[0]! || value > range[1]! || !Number.isInteger(value));
      const wrong =
        result.points.length + result.problems.length !== points.length ||
        result.points.some((p) => outOfRange(points.find((q) => q.metric === p.metric)!, p.value)) ||
        result.points.some((p) => typeof p.value !== expected || (typeof p.value === 'number' && !Number.isFinite(p.value))) ||
        result.problems.some((p) => p.kind !== 'bad_response' && p.kind !== 'non_finite' && !(p.kind === 'not_bcd' && type.startsWith('bcd')));
      if (wrong) failures.push(`seed ${seed} round ${round}: ${JSON.stringify(result)}`);
    }
    expect(failures).toEqual([]);
  });
});
