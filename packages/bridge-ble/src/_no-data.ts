import { companyIdOf, type Advert } from './advert/advert.js';
import { detectFormats } from './decode/decode-advert.js';
import type { ResolvedDevice } from './resolve.js';

/**
 * Adverts in a row without data for its decoder after which a device is reported (`no_data`).
 * A device that takes turns between frames (a beacon's slots, a firmware sending two formats)
 * sends a few such adverts in a row; one mapped with a decoder that does not fit it sends
 * nothing else, and would otherwise be heard, `connected`, and never give a point.
 */
export const NO_DATA_ADVERTS = 10;

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** The data a device entry's decoder reads, as a message names it. */
function wanted(device: ResolvedDevice): string {
  switch (device.decoder) {
    case 'bthome':
      return 'BTHome service data (fcd2)';
    case 'ruuvi':
      return 'Ruuvi manufacturer data (company 0x0499)';
    case 'atc':
    case 'pvvx':
      return 'service data 181a';
    case 'ibeacon':
      return 'iBeacon manufacturer data (company 0x004c)';
    case 'eddystone':
      return 'Eddystone service data (feaa)';
    default: {
      const source = device.custom?.source;
      if (source?.kind === 'service') return `service data ${source.uuid}`;
      return source?.companyId !== undefined ? `manufacturer data of company ${hex4(source.companyId)}` : 'manufacturer data';
    }
  }
}

/** What an advert carries instead, for a message. */
function carried(advert: Advert): string {
  const parts: string[] = [];
  const company = companyIdOf(advert);
  if (company !== undefined) parts.push(`manufacturer data of company ${hex4(company)}`);
  if (advert.serviceData?.length) parts.push(`service data ${advert.serviceData.map((s) => s.uuid).join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : 'no manufacturer or service data';
}

/**
 * The `no_data` message for `device`, whose last {@link NO_DATA_ADVERTS} adverts (the last
 * one `advert`) carried nothing its decoder reads: what the decoder looks for, what the adverts
 * look like instead, and what to do.
 */
export function noDataMessage(device: ResolvedDevice, advert: Advert): string {
  const formats = detectFormats(advert);
  const services = advert.serviceUuids?.length ? ` and name services ${advert.serviceUuids.join(', ')} (decoder gatt reads characteristics over a connection)` : '';
  const instead = formats.length > 0
    ? `they look like ${formats.join(', ')}: check decoder (bridge-ble --scan lists each device's formats)`
    : `they carry ${carried(advert)}${services}: check decoder, or read them with a custom entry (--record shows their bytes)`;
  return `${device.name} (${advert.address}) ${device.decoder}: none of its last ${NO_DATA_ADVERTS} adverts carried ${wanted(device)}, which decoder ${device.decoder} reads; ${instead}`;
}
