import type { Advert } from './advert/advert.js';
import { serviceDataOf } from './advert/advert.js';
import type { BleDecoder } from './config.js';
import { RUUVI_COMPANY_ID } from './decode/ruuvi.js';
import { XIAOMI_CUSTOM_UUID } from './decode/xiaomi.js';

/**
 * The bytes of `advert` that `decoder` reads, when its format carries a measurement counter (the
 * ATC1441 frame counter, pvvx's measurement count, Ruuvi's measurement sequence): the same bytes
 * again from one device are the same reading sent again, since these firmwares advertise each
 * reading several times in a row (the ATC firmware updates its data once a minute and advertises
 * it every few seconds). Undefined for the other decoders (BTHome drops its own repeats by packet
 * id; a beacon's frames never change) and when the advert has no such data.
 */
export function countedFrame(decoder: BleDecoder, advert: Advert): Uint8Array | undefined {
  switch (decoder) {
    case 'atc':
    case 'pvvx':
      return serviceDataOf(advert, XIAOMI_CUSTOM_UUID);
    case 'ruuvi': {
      const data = advert.manufacturerData;
      return data && data.length > 2 && (data[0]! | (data[1]! << 8)) === RUUVI_COMPANY_ID ? data : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether two frames hold the same bytes. */
export function sameFrame(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
