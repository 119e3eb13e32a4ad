import { describe, expect, it } from 'vitest';
import { BYTE_ORDERS } from '../src/config.js';
import { decodeRegisters } from '../src/decode.js';
import { encodeRegisters } from '../src/encode.js';

describe('encodeRegisters for parts of a register', () => {
  it('writes a byte and keeps the other, whatever the byte order', () => {
    for (const order of BYTE_ORDERS) {
      expect(encodeRegisters('int8', -1, order, { byte: 'low', register: 0x1234 })).toEqual([0x12ff]);
      expect(encodeRegisters('uint8', 0x9c, order, { byte: 'high', register: 0x1234 })).toEqual([0x9c34]);
      expect(encodeRegisters('int8', -100, order, { byte: 'high' })).toEqual([0x9c00]);
    }
  });

  it('writes two values packed in one register, one after the other', () => {
    const mode = encodeRegisters('uint8', 2, 'ABCD', { byte: 'high' })[0];
    expect(encodeRegisters('int8', -3, 'ABCD', { byte: 'low', register: mode })).toEqual([0x02fd]);
    const state = encodeRegisters('bitfield', 5, 'ABCD', { bit: 0, bits: 4 })[0];
    const gear = encodeRegisters('bitfield', 3, 'ABCD', { bit: 4, bits: 4, register: state })[0];
    expect(encodeRegisters('bit', true, 'ABCD', { bit: 15, register: gear })).toEqual([0x8035]);
  });

  it('writes a bit field and keeps the bits around it, counting bits once the byte order is undone', () => {
    // 0xa5c3 = 1010 0101 1100 0011; bits 4-7 (0xc) set to 9: 0xa593.
    expect(encodeRegisters('bitfield', 9, 'ABCD', { bit: 4, bits: 4, register: 0xa5c3 })).toEqual([0xa593]);
    expect(encodeRegisters('bitfield', 9, 'CDAB', { bit: 4, bits: 4, register: 0xa5c3 })).toEqual([0xa593]);
    // Under BADC the value 0xa5c3 arrives as 0xc3a5: bits 0-3 cleared give the value 0xa5c0, sent as 0xc0a5.
    expect(encodeRegisters('bitfield', 0, 'BADC', { bit: 0, bits: 4, register: 0xc3a5 })).toEqual([0xc0a5]);
    expect(encodeRegisters('bit', false, 'DCBA', { bit: 15, register: 0xc3a5 })).toEqual([0xc325]);
    expect(encodeRegisters('bit', 1, 'ABCD', { bit: 3, register: 0 })).toEqual([0x0008]);
    expect(encodeRegisters('bitfield', 0xffff, 'ABCD', { bit: 0, bits: 16, register: 0x1234 })).toEqual([0xffff]);
  });

  it('reads back what it wrote, each part of a full register, under every byte order', () => {
    for (const order of BYTE_ORDERS) {
      let word = 0;
      word = encodeRegisters('bitfield', 11, order, { bit: 0, bits: 4, register: word })[0]!;
      word = encodeRegisters('bitfield', 6, order, { bit: 4, bits: 3, register: word })[0]!;
      word = encodeRegisters('bit', true, order, { bit: 7, register: word })[0]!;
      word = encodeRegisters('bitfield', 0xa5, order, { bit: 8, bits: 8, register: word })[0]!;
      expect(decodeRegisters([word], 0, { type: 'bitfield', bit: 0, bits: 4, byteOrder: order })).toBe(11);
      expect(decodeRegisters([word], 0, { type: 'bitfield', bit: 4, bits: 3, byteOrder: order })).toBe(6);
      expect(decodeRegisters([word], 0, { type: 'bit', bit: 7, byteOrder: order })).toBe(true);
      expect(decodeRegisters([word], 0, { type: 'bitfield', bit: 8, bits: 8, byteOrder: order })).toBe(0xa5);
      expect(decodeRegisters([word], 0, { type: 'uint16', byteOrder: order })).toBe(0xa5eb);
    }
  });

  it('refuses a value its part cannot hold, or a part it is not told, saying what it takes', () => {
    expect(() => encodeRegisters('int8', 128, 'ABCD', { byte: 'low' })).toThrow('int8 (low byte) takes -128..127, not 128');
    expect(() => encodeRegisters('uint8', -1, 'ABCD', { byte: 'high' })).toThrow('uint8 (high byte) takes 0..255, not -1');
    expect(() => encodeRegisters('bitfield', 16, 'ABCD', { bit: 4, bits: 4 })).toThrow('bitfield (bits 4-7) takes 0..15, not 16');
    expect(() => encodeRegisters('bitfield', 1.5, 'ABCD', { bit: 4, bits: 4 })).toThrow('takes an integer, not 1.5');
    expect(() => encodeRegisters('bit', 2, 'ABCD', { bit: 0 })).toThrow('bit (bit 0) takes true or false (or 1 or 0), not 2');
    expect(() => encodeRegisters('int8', 1)).toThrow('type int8 needs byte to say which part of the register it writes');
    expect(() => encodeRegisters('bitfield', 1, 'ABCD', { bit: 4 })).toThrow('type bitfield needs bit and bits to say which part of the register it writes (missing: bits)');
    expect(() => encodeRegisters('bitfield', 1, 'ABCD', { bit: 12, bits: 5 })).toThrow('bits must be 1-4 from bit 12, not 5');
    expect(() => encodeRegisters('bit', true, 'ABCD', { bit: 16 })).toThrow('bit must be 0-15, not 16');
    expect(() => encodeRegisters('uint8', 1, 'ABCD', { byte: 'high', register: 0x10000 })).toThrow('register must be a 16-bit value (0-65535), not 65536');
    expect(() => encodeRegisters('bool', true)).toThrow('use type bit for a bit of a register');
  });

  it('still reads a number as the fourth argument as a string length', () => {
    expect(encodeRegisters('string', 'AB', 'ABCD', 2)).toEqual([0x4142, 0]);
  });
});
