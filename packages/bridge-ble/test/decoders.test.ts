import { describe, expect, it } from 'vitest';
import { applyLinear, linearMap } from '../src/_scale.js';
import { decodeBthome } from '../src/decode/bthome.js';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { compileCustomDecoder } from '../src/decode/custom.js';
import { detectFormats } from '../src/decode/decode-advert.js';
import { isBleBridgeError } from '../src/errors.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('clean decimals', () => {
  it('scales integers to the decimal a person writes', () => {
    expect(applyLinear(-22, linearMap(0.35))).toBe(-7.7); // -22 * 0.35 is -7.699999999999999 in floating point
    expect(applyLinear(3, linearMap(0.1))).toBe(0.3);
    expect(applyLinear(7, linearMap(0.5, -0.25))).toBe(3.25);
    expect(applyLinear(52345, linearMap(0.01, 500))).toBe(1023.45);
    expect(applyLinear(-1000000, linearMap(0.000001))).toBe(-1);
    expect(applyLinear(4, linearMap(1 / 3))).toBeCloseTo(4 / 3, 12);
  });
});

describe('BTHome details', () => {
  const key = parseBindKey('231d39c1 d7cc1ab1-aee224cd 096db932');
  const address = '54:48:e6:8f:80:a5';

  it('reads bind keys as apps print them, and refuses others without echoing them', () => {
    expect(Buffer.from(key).toString('hex')).toBe('231d39c1d7cc1ab1aee224cd096db932');
    try {
      parseBindKey('231d39c1d7cc1ab1aee224cd096db9zz');
      expect.unreachable();
    } catch (err) {
      expect(isBleBridgeError(err, 'CONFIG')).toBe(true);
      expect((err as Error).message).not.toContain('231d39');
      expect((err as Error).message).toContain('not hex digits');
    }
    expect(() => parseBindKey('abcd')).toThrow(/32 hex digits/);
  });

  it('encrypts what it decrypts, and reproduces the specification\'s example ciphertext', () => {
    const sealed = encryptBthome(key, address, 0x41, hex('02ca09 03bf13'), 1122867);
    expect(Buffer.from(sealed).toString('hex')).toBe('41e445f3c9962b332211006c7c4519'); // https://bthome.io/encryption/
    const r = decodeBthome(sealed, { address, bindKey: key });
    expect(r.measurements.map((m) => m.value)).toEqual([25.06, 50.55]);
  });

  it('keys the nonce on the address: the same payload from another address fails', () => {
    const sealed = encryptBthome(key, address, 0x41, hex('02ca09'), 7);
    expect(decodeBthome(sealed, { address: '54:48:e6:8f:80:a6', bindKey: key }).problems.map((p) => p.kind)).toEqual(['decrypt_failed']);
  });

  it('keeps repeats and replays apart per device, and forgets the least recently heard past its bound', () => {
    const state = new BthomeState(2);
    const a = encryptBthome(key, address, 0x41, hex('02ca09'), 10);
    expect(decodeBthome(a, { address, bindKey: key, state }).measurements).toHaveLength(1);
    expect(decodeBthome(a, { address, bindKey: key, state }).duplicate).toBe(true);
    state.device('aa:aa:aa:aa:aa:aa');
    state.device('bb:bb:bb:bb:bb:bb');
    expect(state.size).toBe(2);
    // address was forgotten, so its old counter is accepted again
    expect(decodeBthome(a, { address, bindKey: key, state }).duplicate).toBeUndefined();
  });

  it('decodes every advert when no state is given', () => {
    const plain = hex('40 0009 02ca09');
    expect(decodeBthome(plain, { address }).duplicate).toBeUndefined();
    expect(decodeBthome(plain, { address }).measurements).toHaveLength(1);
  });
});

describe('custom decoders', () => {
  it('refuses a bad field once, at compile time, naming it', () => {
    const compile = (field: object) => () => compileCustomDecoder({ source: { kind: 'manufacturer' }, fields: [{ measurement: 'x', offset: 0, type: 'u8', ...field }] as never });
    expect(compile({ type: 'u64' })).toThrow(/fields\[0\] \(x\): type must be one of/);
    expect(compile({ offset: 253, type: 'u16' })).toThrow(/offset must be an integer from 0 to 252/);
    expect(compile({ type: 'bits', bit: 6, bits: 3 })).toThrow(/select bits inside the 8 read/);
    expect(compile({ scale: Number.NaN })).toThrow(/finite/);
    expect(() => compileCustomDecoder({ source: { kind: 'service', uuid: 'nope' }, fields: [{ measurement: 'x', offset: 0, type: 'u8' }] })).toThrow(/not a 16-, 32- or 128-bit UUID/);
    expect(() => compileCustomDecoder({ source: { kind: 'manufacturer' }, fields: [] })).toThrow(/at least one field/);
  });

  it('reads float32 as its shortest decimal and refuses NaN as a value', () => {
    const d = compileCustomDecoder({ source: { kind: 'manufacturer' }, fields: [{ measurement: 'f', offset: 2, type: 'float32', byteOrder: 'big' }] });
    expect(d.decode(hex('ffff 3dcccccd')).measurements).toEqual([{ measurement: 'f', value: 0.1 }]);
    expect(d.decode(hex('ffff 7fc00000')).problems.map((p) => p.kind)).toEqual(['malformed']);
    const scaled = compileCustomDecoder({ source: { kind: 'manufacturer' }, fields: [{ measurement: 'f', offset: 0, type: 'float32', scale: 0.1 }] });
    expect(scaled.decode(hex('0000ac41')).measurements[0]?.value).toBe(2.15); // 21.5 * 0.1
  });
});

describe('format detection', () => {
  it('recognises each built-in format from an advert', () => {
    const base = { t: 0, address: 'a4:c1:38:00:00:00', addressType: 'public' as const, rssi: -50 };
    expect(detectFormats({ ...base, serviceData: [{ uuid: 'fcd2', data: hex('40') }] })).toEqual(['bthome']);
    expect(detectFormats({ ...base, manufacturerData: hex('9904 05') })).toEqual(['ruuvi']);
    expect(detectFormats({ ...base, serviceData: [{ uuid: '181a', data: new Uint8Array(13) }] })).toEqual(['atc']);
    expect(detectFormats({ ...base, serviceData: [{ uuid: '181a', data: new Uint8Array(15) }] })).toEqual(['pvvx']);
    expect(detectFormats({ ...base, manufacturerData: hex('4c00 0215') })).toEqual(['ibeacon']);
    expect(detectFormats({ ...base, serviceData: [{ uuid: 'feaa', data: hex('20') }] })).toEqual(['eddystone']);
    expect(detectFormats(base)).toEqual([]);
  });
});
