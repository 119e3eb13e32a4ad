import { ADVERT_LIMITS, normalizeAddress, normalizeUuid, type Advert, type ServiceData } from '../advert/advert.js';
import type { NoblePeripheral } from './noble-types.js';

/** An advert, or the reason a discovery gave none. */
export type PeripheralAdvert = { ok: true; advert: Advert; trimmed: string[] } | { ok: false; reason: string };

const copy = (data: Uint8Array): Uint8Array => Uint8Array.prototype.slice.call(data);

/**
 * Turns what noble reports for a discovery into an {@link Advert} stamped `t`, bounded by
 * {@link ADVERT_LIMITS}: oversized fields are dropped and named in `trimmed`. Bytes are copied,
 * since noble reuses its objects. `freshManufacturerData` is false when noble's manufacturer
 * data is the object it reported last time: noble merges each advert into the device's last
 * one, so a device that alternates frames (iBeacon, then Eddystone) would otherwise repeat its
 * old manufacturer data with every other frame. A device without a usable address (macOS
 * reports none) gives `ok: false`.
 */
export function peripheralToAdvert(peripheral: NoblePeripheral, t: number, freshManufacturerData = true): PeripheralAdvert {
  const address = typeof peripheral.address === 'string' ? normalizeAddress(peripheral.address) : undefined;
  if (!address) return { ok: false, reason: `device ${peripheral.id} reports no Bluetooth address ("${String(peripheral.address)}")` };
  const ad = peripheral.advertisement ?? {};
  const trimmed: string[] = [];
  const rssi = Number.isInteger(peripheral.rssi) ? Math.max(-128, Math.min(127, peripheral.rssi)) : -128;
  const advert: Advert = { t, address, addressType: peripheral.addressType === 'random' ? 'random' : 'public', rssi };
  if (typeof ad.localName === 'string' && ad.localName.length > 0) {
    advert.name = ad.localName.slice(0, ADVERT_LIMITS.nameChars);
    if (ad.localName.length > ADVERT_LIMITS.nameChars) trimmed.push('name');
  }
  if (Number.isInteger(ad.txPowerLevel) && Math.abs(ad.txPowerLevel!) <= 127) advert.txPower = ad.txPowerLevel!;
  const m = ad.manufacturerData;
  if (freshManufacturerData && m instanceof Uint8Array && m.length >= 2) {
    if (m.length <= ADVERT_LIMITS.dataBytes) advert.manufacturerData = copy(m);
    else trimmed.push('manufacturer_data');
  }
  if (Array.isArray(ad.serviceData) && ad.serviceData.length > 0) {
    const list: ServiceData[] = [];
    for (const entry of ad.serviceData) {
      const uuid = typeof entry?.uuid === 'string' ? normalizeUuid(entry.uuid) : undefined;
      if (!uuid || !(entry.data instanceof Uint8Array) || entry.data.length > ADVERT_LIMITS.dataBytes || list.length >= ADVERT_LIMITS.serviceData) {
        trimmed.push('service_data');
        continue;
      }
      list.push({ uuid, data: copy(entry.data) });
    }
    if (list.length > 0) advert.serviceData = list;
  }
  if (Array.isArray(ad.serviceUuids) && ad.serviceUuids.length > 0) {
    const uuids = ad.serviceUuids.slice(0, ADVERT_LIMITS.serviceUuids).map((u) => (typeof u === 'string' ? normalizeUuid(u) : undefined)).filter((u): u is string => u !== undefined);
    if (ad.serviceUuids.length > ADVERT_LIMITS.serviceUuids) trimmed.push('service_uuids');
    if (uuids.length > 0) advert.serviceUuids = uuids;
  }
  return { ok: true, advert, trimmed };
}
