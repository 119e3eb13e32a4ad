import type { Advert } from './advert/advert.js';
import { serviceDataOf } from './advert/advert.js';
import type { BleDecoder } from './config.js';
import { RUUVI_COMPANY_ID } from './decode/ruuvi.js';
import { XIAOMI_CUSTOM_UUID } from './decode/xiaomi.js';

/**
 * The bytes of `advert` that `decoder` reads, when its format carries a measurement counter (the
 * ATC1441 frame counter, pvvx's measurement count, Ruuvi RAWv2's measurement sequence): the same bytes
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
      // Data format 3 (RAWv1) has no counter: the same bytes may be a new reading of steady values.
      const data = advert.manufacturerData;
      return data && data.length > 2 && (data[0]! | (data[1]! << 8)) === RUUVI_COMPANY_ID && data[2] === 5 ? data : undefined;
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

/** Devices whose last reading {@link LastFrames} remembers by default; the least recently heard is forgotten past this. */
export const DEFAULT_FRAMES_KEPT = 10_000;

/**
 * The last clean frame of each device whose format carries a measurement counter (see
 * {@link countedFrame}), by its tracking key: the same bytes again are a repeat. Kept apart
 * from the tracked devices so that it outlives them: a SIGHUP reload starts a new source, and a
 * reading the sensor goes on repeating was sent already. Bounded: past `maxDevices` the device
 * heard least recently is forgotten.
 */
export class LastFrames {
  private readonly frames = new Map<string, Uint8Array>();

  /** @param maxDevices Devices remembered, default {@link DEFAULT_FRAMES_KEPT}. */
  constructor(private readonly maxDevices = DEFAULT_FRAMES_KEPT) {}

  /** Whether `frame` repeats the last one remembered for `key`. */
  repeats(key: string, frame: Uint8Array): boolean {
    return sameFrame(this.frames.get(key), frame);
  }

  /** Remembers `frame` (copied) as `key`'s last, or forgets it (undefined: read its next copy again). */
  set(key: string, frame: Uint8Array | undefined): void {
    this.frames.delete(key);
    if (frame === undefined) return;
    if (this.frames.size >= this.maxDevices) {
      const oldest = this.frames.keys().next();
      if (!oldest.done) this.frames.delete(oldest.value);
    }
    this.frames.set(key, Uint8Array.from(frame));
  }

  /** Forgets every device's last frame (a looping replay plays the same readings again). */
  clear(): void {
    this.frames.clear();
  }
}
