import { execFileSync } from 'node:child_process';
import { seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { decodeRegisters } from '../src/decode.js';
import { encodeRegisters } from '../src/encode.js';
import { analyseRegisters } from '../src/probe.js';

// Debian's python3 (the one with pymodbus); its struct module packs and unpacks IEEE half floats ('e').
const PYTHON = '/usr/bin/python3';

/**
 * For every 16-bit pattern, what a user should read, worked out with struct and Decimal: NaN as
 * null, infinities as strings, whole numbers as they are, else the value rounded to the fewest
 * significant digits that pack back (halves away from zero, as toPrecision and float32Value round).
 */
const READ_ALL = `
import json, math, struct
from decimal import Context, Decimal, ROUND_HALF_UP
out = []
for bits in range(65536):
    raw = struct.pack('>H', bits)
    v = struct.unpack('>e', raw)[0]
    if math.isnan(v):
        out.append(None)
    elif math.isinf(v):
        out.append('Infinity' if v > 0 else '-Infinity')
    elif v == int(v):
        out.append(v)
    else:
        for p in range(1, 6):
            c = float(Context(prec=p, rounding=ROUND_HALF_UP).plus(Decimal(v)))
            if struct.pack('>e', c) == raw:
                break
        out.append(c)
print(json.dumps(out))
`;

/** Packs each number of stdin's JSON list as a half: its 16 bits, or "overflow" where struct refuses. */
const PACK_ALL = `
import json, struct, sys
out = []
for v in json.load(sys.stdin):
    try:
        out.append(struct.unpack('>H', struct.pack('>e', v))[0])
    except (OverflowError, struct.error):
        out.append('overflow')
print(json.dumps(out))
`;

const python = (script: string, input?: string): unknown => JSON.parse(execFileSync(PYTHON, ['-c', script], { input, maxBuffer: 16 * 1024 * 1024 }).toString('utf8'));

describe("float16 against Python's struct ('e')", () => {
  it('decodes all 65536 patterns to what struct reads, shortened as the README says', () => {
    const expected = python(READ_ALL) as (number | string | null)[];
    const wrong: string[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const got = decodeRegisters([bits], 0, { type: 'float16' }) as number;
      const want = expected[bits];
      const same = want === null ? Number.isNaN(got) : typeof want === 'string' ? got === Number(want) : got === want;
      if (!same) wrong.push(`0x${bits.toString(16)}: ${got}, struct ${String(want)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('encodes with the same rounding as struct: ties to even, overflow past 65520', () => {
    const random = seededRandom(16);
    const values: number[] = [65504, 65519.99, 65520, -65520, 2049, 2051, 2 ** -25, 3 * 2 ** -25, 2 ** -24 * 1.5, 6e-8, 0.1, 1e-9];
    for (let i = 0; i < 2000; i++) values.push((random() - 0.5) * 10 ** (Math.floor(random() * 14) - 9));
    // Halfway between neighbouring halves, where rounding matters most.
    for (let bits = 0; bits < 0x7bff; bits += 97) values.push((decodeExact(bits) + decodeExact(bits + 1)) / 2);
    const packed = python(PACK_ALL, JSON.stringify(values)) as (number | 'overflow')[];
    const wrong = values
      .map((v, i) => [v, encodeRegisters('float16', v)[0], packed[i]] as const)
      .filter(([v, got, want]) => (want === 'overflow' ? got !== (v < 0 ? 0xfc00 : 0x7c00) : got !== want));
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

/** Unpacks each register of stdin's JSON list as a half, high byte first ('>e') and swapped ('<e'): NaN as null, infinities as strings. */
const UNPACK_BOTH = `
import json, math, struct, sys
def show(v):
    return None if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity') if math.isinf(v) else v
print(json.dumps([[show(struct.unpack(e, struct.pack('>H', w))[0]) for e in ('>e', '<e')] for w in json.load(sys.stdin)]))
`;

describe("--probe's float16 against Python's struct", () => {
  it('shows each register as a half with its bytes as sent (AB) and swapped (BA)', () => {
    const random = seededRandom(61);
    const words = [0x3c00, 0x003c, 0x7c00, 0x007c, 0x7e00, 0x8000, 0x0001, 0x0100, 0x7bff, 0xff7b];
    for (let i = 0; i < 500; i++) words.push(Math.floor(random() * 0x10000));
    const unpacked = python(UNPACK_BOTH, JSON.stringify(words)) as [number | string | null, number | string | null][];
    const report = analyseRegisters(words, { table: 'holding', address: 0, count: words.length }, { name: 'plc', connection: { kind: 'tcp', host: '127.0.0.1', port: 502 }, unitId: 1 });
    // The probe shows the shortest decimal reading back to the half, struct its exact value: compare their bits (any NaN as 0x7e00).
    const bits = (v: number | string | null): number => encodeRegisters('float16', v === null ? Number.NaN : Number(v))[0]!;
    const wrong = report.values16.flatMap(({ address, values }) =>
      values
        .map((v, i) => [v.order, bits(v.float), bits(unpacked[address]![i]!)] as const)
        .filter(([, got, want]) => got !== want)
        .map(([order, got, want]) => `0x${words[address]!.toString(16)} ${order}: 0x${got.toString(16)}, struct 0x${want.toString(16)}`),
    );
    expect(report.values16.map((r) => r.values.map((v) => v.order))).toEqual(words.map(() => ['AB', 'BA']));
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

/** The exact value of a positive finite half, from its bits (no rounding to a short decimal). */
function decodeExact(bits: number): number {
  const exponent = bits >>> 10;
  const fraction = bits & 0x3ff;
  return exponent === 0 ? fraction * 2 ** -24 : (0x400 + fraction) * 2 ** (exponent - 25);
}
