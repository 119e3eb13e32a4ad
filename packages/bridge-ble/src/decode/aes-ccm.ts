import { createDecipheriv } from 'node:crypto';
import { BleBridgeError } from '../errors.js';

/**
 * A bind key from its 32 hex digits (spaces and dashes allowed, as apps print them): the AES-128
 * key of encrypted BTHome and of the pvvx/ATC firmware's "Encrypted beacon". Throws a `CONFIG`
 * {@link BleBridgeError} naming what is wrong; the key itself is never echoed.
 */
export function parseBindKey(text: string): Uint8Array {
  const hex = text.replace(/[\s-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new BleBridgeError('CONFIG', `a bind key is 16 bytes written as 32 hex digits; this one has ${hex.length} characters${/[^0-9a-fA-F]/.test(hex) ? ' and some are not hex digits' : ''}`);
  }
  return Buffer.from(hex, 'hex');
}

/** What {@link openCcm} found: the plaintext, or why it did not authenticate. */
export type CcmOpened = { ok: true; plaintext: Uint8Array } | { ok: false; reason: string };

/**
 * Decrypts and authenticates AES-128-CCM with a 4-byte tag, the MIC both BTHome and the pvvx
 * firmware send. Never throws: a wrong key or corrupted bytes fail authentication, which is the
 * expected outcome of a wrong bind key, so it comes back as `ok: false`.
 */
export function openCcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, ciphertext: Uint8Array, tag: Uint8Array): CcmOpened {
  try {
    const decipher = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: 4 });
    decipher.setAuthTag(tag);
    if (aad) decipher.setAAD(aad, { plaintextLength: ciphertext.length });
    const plaintext = decipher.update(ciphertext);
    decipher.final();
    return { ok: true, plaintext };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
