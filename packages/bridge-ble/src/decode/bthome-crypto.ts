import { createCipheriv } from 'node:crypto';
import { openCcm } from './aes-ccm.js';

/** The 16-bit service UUID of BTHome v2 (little-endian on air: `d2 fc`). */
export const BTHOME_UUID = 'fcd2';

/** Bytes an encrypted BTHome payload adds after the ciphertext: a 4-byte counter and a 4-byte MIC. */
export const BTHOME_CRYPTO_TRAILER = 8;

export { parseBindKey } from './aes-ccm.js';

/** The 13-byte nonce: device MAC (as written), UUID `d2 fc`, device info byte, counter (LE). */
function nonceOf(address: string, deviceInfo: number, counter: Uint8Array): Buffer {
  const nonce = Buffer.alloc(13);
  nonce.write(address.replace(/:/g, ''), 0, 6, 'hex');
  nonce[6] = 0xd2;
  nonce[7] = 0xfc;
  nonce[8] = deviceInfo;
  nonce.set(counter, 9);
  return nonce;
}

/** What {@link decryptBthome} found. */
export type BthomeDecryption = { ok: true; plaintext: Uint8Array; counter: number } | { ok: false; counter: number | undefined; message: string };

/**
 * Decrypts the part of a BTHome v2 service-data payload after its device info byte
 * (`ciphertext | counter (4, LE) | MIC (4)`) with AES-128-CCM and a 4-byte tag, as
 * https://bthome.io/encryption/ specifies. `address` is the advertiser's MAC. Never throws: a
 * wrong key or a corrupted payload fails authentication and comes back as `ok: false`.
 */
export function decryptBthome(key: Uint8Array, address: string, deviceInfo: number, body: Uint8Array): BthomeDecryption {
  if (body.length < BTHOME_CRYPTO_TRAILER) return { ok: false, counter: undefined, message: `an encrypted payload needs at least ${BTHOME_CRYPTO_TRAILER} bytes after the device info byte, got ${body.length}` };
  const end = body.length;
  const counterBytes = body.subarray(end - 8, end - 4);
  const counter = (counterBytes[0]! | (counterBytes[1]! << 8) | (counterBytes[2]! << 16) | (counterBytes[3]! << 24)) >>> 0;
  const opened = openCcm(key, nonceOf(address, deviceInfo, counterBytes), undefined, body.subarray(0, end - 8), body.subarray(end - 4));
  if (opened.ok) return { ok: true, plaintext: opened.plaintext, counter };
  return { ok: false, counter, message: `the payload did not authenticate with the device's bind key (${opened.reason}); check bind_key for this device` };
}

/**
 * Encrypts `plaintext` (BTHome objects) for `address`, returning the whole service-data
 * payload after the UUID: `deviceInfo | ciphertext | counter | MIC`. `deviceInfo` must have
 * the encryption bit set (0x41 for a v2 device sending regularly). For the simulator and tests.
 */
export function encryptBthome(key: Uint8Array, address: string, deviceInfo: number, plaintext: Uint8Array, counter: number): Uint8Array {
  const counterBytes = Buffer.alloc(4);
  counterBytes.writeUInt32LE(counter >>> 0);
  const cipher = createCipheriv('aes-128-ccm', key, nonceOf(address, deviceInfo, counterBytes), { authTagLength: 4 });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([deviceInfo]), ciphertext, counterBytes, cipher.getAuthTag()]);
}
