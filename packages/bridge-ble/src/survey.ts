import { serviceDataOf, type AddressType, type Advert } from './advert/advert.js';
import { RSSI_NOT_AVAILABLE } from './advert/rssi.js';
import { beaconIdOf, type BeaconId } from './beacon-id.js';
import { BTHOME_UUID } from './decode/bthome-crypto.js';
import { detectFormats, type AdvertDecoderName } from './decode/decode-advert.js';
import { isEncryptedXiaomi, XIAOMI_CUSTOM_UUID } from './decode/xiaomi.js';
import type { DeviceMatcher } from './match.js';
import type { DeviceMatch } from './resolve.js';

/** One device heard during a survey of the air. */
export interface HeardDevice {
  address: string;
  addressType: AddressType;
  /** The last local name it advertised, if any. */
  name?: string;
  adverts: number;
  /** Weakest and strongest signal heard, dBm. */
  /** Weakest and strongest signal heard, dBm; undefined while the controller gave none (RSSI 127). */
  rssiMin?: number;
  rssiMax?: number;
  /** The built-in formats its adverts looked like (see `detectFormats`), in the order first seen. */
  formats: AdvertDecoderName[];
  /** Its BTHome, ATC1441 or pvvx adverts are encrypted: the entry needs the device's bind_key. */
  encrypted?: boolean;
  /** Its BTHome adverts say it is trigger based: it sends only when something happens (a button). */
  triggerBased?: boolean;
  /** The beacon identity its last iBeacon or Eddystone-UID frame carried. */
  beacon?: BeaconId;
  /** The mapping's device entry its adverts go to already, if any. */
  mappedAs?: string;
  /** How that entry matches it: by its address, or by its local name. */
  mappedBy?: DeviceMatch['by'];
}

/** What a {@link Survey} heard. */
export interface SurveyResult {
  /** Most adverts first, then by address. */
  devices: HeardDevice[];
  adverts: number;
  /** Devices heard past the survey's bound, counted but not listed. */
  notListed: number;
  /** More devices than `notListed` may have been heard: counting stopped at its own bound. */
  countCapped: boolean;
}

/** Gathers what a scan hears, device by device. */
export interface Survey {
  advert(advert: Advert): void;
  result(): SurveyResult;
}

/** Bounds of a survey: a busy place's rotating addresses would otherwise grow it without end. */
export interface SurveyBounds {
  /** Devices listed. Default 5000. */
  maxDevices?: number;
  /** Further devices counted (by address) past those listed. Default 100 000. */
  maxCounted?: number;
}

/**
 * A survey of the adverts heard: per address its name, advert count, signal range, the formats
 * its adverts look like, its beacon identity and the mapping entry (through `matcher`) that takes them. Devices past
 * `maxDevices` are counted, not kept.
 */
export function createSurvey(matcher?: DeviceMatcher, bounds: SurveyBounds = {}): Survey {
  const maxDevices = bounds.maxDevices ?? 5000;
  const maxCounted = bounds.maxCounted ?? 100_000;
  const heard = new Map<string, HeardDevice>();
  const others = new Set<string>();
  let countCapped = false;
  let adverts = 0;
  return {
    advert(advert) {
      adverts += 1;
      let device = heard.get(advert.address);
      if (device === undefined) {
        if (heard.size >= maxDevices) {
          if (others.size < maxCounted) others.add(advert.address);
          else if (!others.has(advert.address)) countCapped = true;
          return;
        }
        device = { address: advert.address, addressType: advert.addressType, adverts: 0, formats: [] };
        heard.set(advert.address, device);
      }
      device.adverts += 1;
      if (advert.name !== undefined && advert.name !== '') device.name = advert.name;
      if (advert.rssi !== RSSI_NOT_AVAILABLE) {
        if (device.rssiMin === undefined || advert.rssi < device.rssiMin) device.rssiMin = advert.rssi;
        if (device.rssiMax === undefined || advert.rssi > device.rssiMax) device.rssiMax = advert.rssi;
      }
      for (const format of detectFormats(advert)) if (!device.formats.includes(format)) device.formats.push(format);
      // BTHome v2's device information byte: bit 0 set when the measurements are encrypted.
      const bthome = serviceDataOf(advert, BTHOME_UUID);
      if (bthome !== undefined && bthome.length > 0 && (bthome[0]! & 0x01) === 1) device.encrypted = true;
      // The ATC1441 and pvvx firmwares' "Encrypted beacon" formats, told by their length.
      const xiaomi = serviceDataOf(advert, XIAOMI_CUSTOM_UUID);
      if (xiaomi !== undefined && isEncryptedXiaomi(xiaomi)) device.encrypted = true;
      // Bit 2: the device sends only when something happens (a button, a door contact).
      if (bthome !== undefined && bthome.length > 0 && (bthome[0]! & 0x04) === 4) device.triggerBased = true;
      const beacon = beaconIdOf(advert);
      if (beacon !== undefined) device.beacon = beacon;
      const entry = matcher?.match(advert);
      if (entry !== undefined) {
        device.mappedAs = entry.name;
        device.mappedBy = entry.match.by;
      }
    },
    result() {
      const devices = [...heard.values()].sort((a, b) => b.adverts - a.adverts || (a.address < b.address ? -1 : 1));
      return { devices, adverts, notListed: others.size, countCapped };
    },
  };
}
