import { describe, expect, it } from 'vitest';
import { scalingOf, scale } from '../src/bits/_scaling.js';
import { compileMessageDecoder, createCanDecoder, j1939Address, parseDbc, pgnOf } from '../src/index.js';

const header = 'VERSION ""\n\nNS_ :\n\nBS_:\n\nBU_: A\n\n';

/** The exact decimal of raw * factor + offset, by integer arithmetic on the decimal texts. */
function exactDecimal(raw: number, factor: string, offset: string): number {
  const parts = (t: string): [bigint, number] => {
    const [int, frac = ''] = t.replace('-', '').split('.');
    return [BigInt((t.startsWith('-') ? '-' : '') + int + frac), frac.length];
  };
  const [f, fd] = parts(factor);
  const [o, od] = parts(offset);
  const d = Math.max(fd, od);
  const total = BigInt(raw) * f * 10n ** BigInt(d - fd) + o * 10n ** BigInt(d - od);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(d + 1, '0');
  return Number(`${negative ? '-' : ''}${digits.slice(0, digits.length - d)}.${digits.slice(digits.length - d) || '0'}`);
}

describe('scaling without binary noise', () => {
  it('gives the double nearest the exact decimal for every raw value of common factors and offsets', () => {
    const factors = ['0.1', '0.01', '0.05', '0.001', '0.25', '0.3', '0.07', '0.00001', '0.0625', '0.03125', '1.5'];
    const offsets = ['0', '-40', '-0.5', '273.15', '-1600', '0.001'];
    let checked = 0;
    for (const factor of factors) {
      for (const offset of offsets) {
        const s = scalingOf(Number(factor), Number(offset));
        for (let raw = -2000; raw <= 70_000; raw += 7) {
          const got = scale(raw, s, Number(factor), Number(offset));
          const want = exactDecimal(raw, factor, offset);
          // One expect per mismatch only: half a million expects would make this test slow.
          if (got !== want) expect({ raw, factor, offset, got }).toEqual({ raw, factor, offset, got: want });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500_000);
  });

  it('falls back to plain arithmetic where exact integers run out', () => {
    expect(scalingOf(1 / 3, 0).kind).toBe(2);
    expect(scalingOf(1e-20, 0).kind).toBe(2);
    const big = scalingOf(0.1, 0);
    expect(scale(2 ** 60, big, 0.1, 0)).toBe(2 ** 60 * 0.1);
  });
});

describe('createCanDecoder', () => {
  const text = `${header}BO_ 100 Plain: 2 A\n SG_ V : 0|16@1+ (1,0) [0|0] "" A\n` +
    `BO_ ${0x80000000 + 0x18fef1fe} Ext: 8 A\n SG_ W : 0|8@1+ (1,0) [0|0] "" A\n` +
    `BO_ 101 Flt: 4 A\n SG_ F : 0|32@1+ (10,0.5) [0|0] "" A\n\nSIG_VALTYPE_ 101 F : 1;\n`;
  const { database } = parseDbc(text);

  it('matches exact ids by default, and by PGN when asked to', () => {
    const exact = createCanDecoder(database);
    expect(exact.find(0x18fef1fe, true)!.message.name).toBe('Ext');
    expect(exact.find(0x18fef117, true)).toBeUndefined();
    const byPgn = createCanDecoder(database, { j1939: true });
    const decoded = byPgn.decode({ id: 0x0cfef117, extended: true, data: Uint8Array.of(9) })!;
    expect(decoded.message.name).toBe('Ext');
    expect(decoded.j1939).toEqual({ pgn: 65265, priority: 3, sourceAddress: 0x17 });
    expect(byPgn.find(100, false)!.byPgn).toBe(false);
    const j = parseDbc(`${text}BA_DEF_ "ProtocolType" STRING ;\nBA_ "ProtocolType" "J1939";\n`).database;
    expect(createCanDecoder(j).find(0x18fef100, true)!.message.name).toBe('Ext');
    expect(createCanDecoder(j, { j1939: false }).find(0x18fef100, true)).toBeUndefined();
  });

  it('returns undefined for unknown ids, error and remote frames', () => {
    const decoder = createCanDecoder(database);
    expect(decoder.decode({ id: 99, extended: false, data: new Uint8Array(8) })).toBeUndefined();
    expect(decoder.decode({ id: 100, extended: true, data: new Uint8Array(8) })).toBeUndefined();
    expect(decoder.decode({ id: 5000, extended: false, data: new Uint8Array(8) })).toBeUndefined();
    expect(decoder.decode({ id: 100, extended: false, data: new Uint8Array(2), rtr: true })).toBeUndefined();
    expect(decoder.decode({ id: 100, extended: false, data: new Uint8Array(2), error: true })).toBeUndefined();
  });

  it('decodes into reused arrays, and resets the problems of the previous frame', () => {
    const decoder = createCanDecoder(database).find(100, false)!;
    const values = decoder.createValues();
    const { present, value } = values;
    expect(decoder.decodeInto(Uint8Array.of(0x34, 0x12), values)).toBe(1);
    expect([values.present[0], values.value[0], values.problems]).toEqual([1, 0x1234, []]);
    expect(decoder.decodeInto(Uint8Array.of(0x34), values)).toBe(0);
    expect(values.present[0]).toBe(0);
    expect(values.problems).toMatchObject([{ kind: 'short_frame', messageName: 'Plain', id: 100, signals: ['V'] }]);
    expect(decoder.decodeInto(Uint8Array.of(1, 0), values)).toBe(1);
    expect(values.problems).toEqual([]);
    expect(values.present).toBe(present);
    expect(values.value).toBe(value);
  });

  it('scales a float32 to the precision it carries', () => {
    const decoder = compileMessageDecoder(database.messages[2]!);
    const data = new Uint8Array(new Float32Array([1.1]).buffer);
    // 1.1f is 1.100000023841858 as a double; it is read as its shortest decimal 1.1, and
    // 1.1 * 10 + 0.5 = 11.500000000000002 is cut to the 9 digits a float32 can mean.
    expect(decoder.decode(data).signals[0]!.value).toBe(11.5);
  });
});

describe('J1939 identifiers', () => {
  it('splits priority, PGN, destination and source', () => {
    expect(pgnOf(0x18fef1fe)).toBe(0xfef1);
    expect(pgnOf(0x0cea00fe)).toBe(0xea00);
    expect(pgnOf(0x1dfef1fe)).toBe(0x1fef1);
    expect(j1939Address(0x18ea21fe)).toEqual({ pgn: 0xea00, priority: 6, sourceAddress: 0xfe, destinationAddress: 0x21 });
  });
});
