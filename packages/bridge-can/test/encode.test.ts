import { describe, expect, it } from 'vitest';
import { compileMessageDecoder, encodeMessage, encodeRawValues, isCanBridgeError, parseDbc } from '../src/index.js';

const text = `VERSION ""\n\nNS_ :\n\nBS_:\n\nBU_: A\n\nBO_ 1 M: 8 A\n SG_ Mux M : 0|2@1+ (1,0) [0|3] "" A\n SG_ Temp m0 : 8|8@1+ (1,-40) [-40|215] "" A\n SG_ Angle m1 : 15|12@0- (0.1,0) [-204.8|204.7] "" A\n SG_ Flt : 32|32@1- (1,0) [0|0] "" A\n\nSIG_VALTYPE_ 1 Flt : 1;\n`;
const message = parseDbc(text).database.messages[0]!;
const decoder = compileMessageDecoder(message);
const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex').toUpperCase();
const failsWith = (fn: () => unknown, pattern: RegExp): void => {
  expect(fn).toThrow(pattern);
  try {
    fn();
  } catch (err) {
    expect(isCanBridgeError(err, 'ENCODE_FAILED')).toBe(true);
  }
};

describe('encodeMessage', () => {
  it('writes physical values where the decoder reads them', () => {
    const data = encodeMessage(message, { Mux: 1, Angle: -12.3, Flt: 0.1 });
    // Mux 1 in bits 0-1: byte 0 = 0x01. Angle: -12.3 / 0.1 = -123 = 0xF85 in 12 bits; big-endian
    // from bit 15: byte 1 = 0xF8, bits 7-4 of byte 2 = 0x5. Flt: 0.1f = 0x3DCCCCCD, bytes 4-7 little-endian.
    expect(hex(data)).toBe('01F85000CDCCCC3D');
    expect(decoder.decode(data).signals.map((s) => [s.name, s.value])).toEqual([
      ['Mux', 1],
      ['Angle', -12.3],
      ['Flt', 0.1],
    ]);
  });

  it('keeps the bits of signals not given from the base, and takes a length', () => {
    const base = Uint8Array.of(0, 0xaa, 0xbb, 0xcc, 0, 0, 0, 0xdd);
    const data = encodeMessage(message, { Mux: 0, Temp: 25 }, { base, length: 8 });
    expect(hex(data)).toBe('0041BBCC000000DD');
    expect(encodeMessage(message, { Mux: 2 }, { length: 1 })).toEqual(Uint8Array.of(2));
  });

  it('refuses unknown signals, values the bits cannot hold, and multiplexed signals their multiplexor does not select', () => {
    failsWith(() => encodeMessage(message, { Nope: 1 }), /message M has no signal Nope/);
    failsWith(() => encodeMessage(message, { Mux: 0, Temp: 300 }), /raw value 340 does not fit 8 unsigned bits \(0\.\.255\)/);
    failsWith(() => encodeMessage(message, { Mux: 0, Temp: Number.NaN }), /NaN is not a finite number/);
    failsWith(() => encodeMessage(message, { Temp: 20 }), /give its multiplexor Mux too/);
    failsWith(() => encodeMessage(message, { Mux: 1, Temp: 20 }), /Temp of M is not in the frame when Mux = 1/);
    failsWith(() => encodeMessage(message, { Mux: 0, Temp: 20 }, { length: 1 }), /needs byte 2 of a 1-byte payload/);
  });
});

describe('encodeRawValues', () => {
  it('takes raw integers (bigint beyond 2^53) and float values', () => {
    const wide = parseDbc(`VERSION ""\n\nBU_: A\n\nBO_ 2 W: 8 A\n SG_ U : 0|64@1+ (1,0) [0|0] "" A\n`).database.messages[0]!;
    expect(hex(encodeRawValues(wide, { U: 2n ** 64n - 2n }))).toBe('FEFFFFFFFFFFFFFF');
    expect(() => encodeRawValues(wide, { U: 2 ** 60 + 0.5 })).toThrow(/pass a bigint/);
    // 1.5f = 0x3FC00000, bytes 4-7 little-endian.
    expect(hex(encodeRawValues(message, { Mux: 1, Angle: -123, Flt: 1.5 }))).toBe('01F850000000C03F');
    expect(decoder.decode(encodeRawValues(message, { Mux: 1, Angle: -123, Flt: 1.5 })).signals.map((s) => s.value)).toEqual([1, -12.3, 1.5]);
  });
});
