/** How an address was assigned: a `public` (IEEE) address, or a `random` one (static or rotating). */
export type AddressType = 'public' | 'random';

/** Service data: the 16-, 32- or 128-bit UUID (lowercase hex, see {@link normalizeUuid}) and its bytes. */
export interface ServiceData {
  uuid: string;
  data: Uint8Array;
}

/**
 * One advertisement as the bridge sees it, whatever delivered it (noble, a replay file, the
 * simulator). Byte fields are raw bytes; the NDJSON record (`AdvertRecord`) carries them as hex.
 */
export interface Advert {
  /** When it was received, in ms since the epoch. */
  t: number;
  /** `aa:bb:cc:dd:ee:ff`, lowercase. */
  address: string;
  addressType: AddressType;
  /** The local name (complete or shortened), when the advert or its scan response carried one. */
  name?: string;
  /** Received signal strength, dBm. */
  rssi: number;
  /** The TX power level the device advertised, dBm. */
  txPower?: number;
  /** Manufacturer specific data, the 16-bit company id first (little-endian, as on air). */
  manufacturerData?: Uint8Array;
  serviceData?: ServiceData[];
  /** Advertised service UUIDs. */
  serviceUuids?: string[];
}

/**
 * Bounds on what one advert may hold, applied before anything is kept. A legacy advert carries
 * at most 31 bytes and an extended one 254 per AD structure, so larger fields are malformed.
 */
export const ADVERT_LIMITS = {
  /** Longest local name kept, in characters (the Bluetooth maximum is 248 bytes). */
  nameChars: 248,
  /** Longest manufacturer or service data, in bytes. */
  dataBytes: 254,
  /** Most service data entries in one advert. */
  serviceData: 16,
  /** Most service UUIDs in one advert. */
  serviceUuids: 32,
} as const;

const BASE_UUID_TAIL = '00001000800000805f9b34fb';
const HEX_ONLY = /^[0-9a-f]+$/;

/**
 * A UUID in the one spelling the bridge compares: lowercase hex without dashes, 16-bit and
 * 32-bit UUIDs of the Bluetooth base UUID shortened to 4 or 8 digits (`0000fcd2-0000-1000-
 * 8000-00805f9b34fb`, `0xFCD2` and `FCD2` all give `fcd2`; noble's unpadded `fcd` gives `0fcd`).
 * Returns undefined for anything that is not a 16-, 32- or 128-bit UUID.
 */
export function normalizeUuid(uuid: string): string | undefined {
  const hex = uuid.toLowerCase().replace(/^0x/, '').replace(/-/g, '');
  if (!HEX_ONLY.test(hex)) return undefined;
  if (hex.length === 32) {
    if (!hex.endsWith(BASE_UUID_TAIL)) return hex;
    return hex.startsWith('0000') ? hex.slice(4, 8) : hex.slice(0, 8);
  }
  if (hex.length <= 4) return hex.padStart(4, '0');
  if (hex.length <= 8) return hex.padStart(8, '0');
  return undefined;
}

const ADDRESS = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** `AA:BB:CC:DD:EE:FF`, `aa-bb-...` or `aabbccddeeff` as `aa:bb:cc:dd:ee:ff`; undefined if not an address. */
export function normalizeAddress(address: string): string | undefined {
  const lower = address.toLowerCase().replace(/-/g, ':');
  if (ADDRESS.test(lower)) return lower;
  if (/^[0-9a-f]{12}$/.test(lower)) return lower.replace(/(..)(?!$)/g, '$1:');
  return undefined;
}

/** The company id of `advert`'s manufacturer data (0x0499 for Ruuvi), or undefined. */
export function companyIdOf(advert: Pick<Advert, 'manufacturerData'>): number | undefined {
  const data = advert.manufacturerData;
  if (!data || data.length < 2) return undefined;
  return data[0]! | (data[1]! << 8);
}

/** The service data of `advert` for `uuid` (normalized, e.g. `fcd2`), or undefined. */
export function serviceDataOf(advert: Pick<Advert, 'serviceData'>, uuid: string): Uint8Array | undefined {
  const list = advert.serviceData;
  if (!list) return undefined;
  for (const entry of list) if (entry.uuid === uuid) return entry.data;
  return undefined;
}
