// Where a BTHome decode problem says the bad object is: its offset in the service data as a record
// file and --scan show it (what follows the UUID: the device info byte is byte 0). The adverts are
// https://bthome.io/format/'s example, service data D2FC 40 02C409 03BF13 (temperature 25.00 °C at
// bytes 1-3, humidity 50.55 % at bytes 4-6 after the UUID), cut or altered by hand.
import { describe, expect, it } from 'vitest';
import { decodeBthome } from '../src/decode/bthome.js';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';

const ADDRESS = '54:48:e6:8f:80:a5';
const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s/g, ''), 'hex');
const messages = (data: string): string[] => decodeBthome(hex(data), { address: ADDRESS }).problems.map((p) => p.message);

describe('BTHome problem offsets', () => {
  it('decodes the specification\'s example, the objects at bytes 1 and 4', () => {
    const result = decodeBthome(hex('40 02c409 03bf13'), { address: ADDRESS });
    expect(result.problems).toEqual([]);
    expect(result.measurements.map((m) => [m.measurement, m.value])).toEqual([['temperature', 25], ['humidity', 50.55]]);
  });

  it('points at the byte where a cut object starts and where the data ends', () => {
    expect(messages('40 02c409 03bf')).toEqual(['object 0x03 (humidity) at byte 4 of the service data needs 2 bytes after its id, up to byte 6, but the data ends at byte 5 (1 left)']);
    expect(messages('40 02c4')).toEqual(['object 0x02 (temperature) at byte 1 of the service data needs 2 bytes after its id, up to byte 3, but the data ends at byte 2 (1 left)']);
  });

  it('points at an unknown object id', () => {
    expect(messages('40 02c409 fe 03bf13')).toEqual(['object id 0xfe at byte 4 of the service data is not in the BTHome v2 specification this bridge knows; the objects after it were skipped']);
  });

  it('points at a text object without its length, or shorter than its length', () => {
    expect(messages('40 02c409 53')).toEqual(['object 0x53 (text) at byte 4 of the service data has no length byte: the data ends after it']);
    expect(messages('40 02c409 53 05 4142')).toEqual(['object 0x53 (text) at byte 4 of the service data needs 5 bytes after its id and length, up to byte 10, but the data ends at byte 7 (2 left)']);
  });

  it('counts decrypted objects at the offsets of their ciphertext', () => {
    const key = parseBindKey('231d39c1d7cc1ab1aee224cd096db932');
    const data = encryptBthome(key, ADDRESS, 0x41, hex('02c409 03bf'), 0x00112233);
    const result = decodeBthome(data, { address: ADDRESS, bindKey: key });
    expect(result.problems.map((p) => p.message)).toEqual(['object 0x03 (humidity) at byte 4 of the decrypted service data needs 2 bytes after its id, up to byte 6, but the data ends at byte 5 (1 left)']);
  });
});
