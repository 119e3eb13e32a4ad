import { parseHex, toHex } from '../_scale.js';
import { ADVERT_LIMITS, normalizeAddress, normalizeUuid, type Advert, type AddressType, type ServiceData } from './advert.js';

/**
 * One line of a record file, exactly as written: `{"t": 1767225600000, "address":
 * "a4:c1:38:12:34:56", "address_type": "public", "name": "ATC_123456", "rssi": -67,
 * "tx_power": 4, "manufacturer_data": "<hex, company id first>", "service_data": [{"uuid":
 * "fcd2", "data": "<hex>"}], "service_uuids": ["181a"]}`. Optional keys are left out, never null.
 */
export interface AdvertRecord {
  t: number;
  address: string;
  address_type: AddressType;
  name?: string;
  rssi: number;
  tx_power?: number;
  manufacturer_data?: string;
  service_data?: { uuid: string; data: string }[];
  service_uuids?: string[];
}

/** The record of `advert`, keys in file order. */
export function advertToRecord(advert: Advert): AdvertRecord {
  return {
    t: advert.t,
    address: advert.address,
    address_type: advert.addressType,
    ...(advert.name !== undefined ? { name: advert.name } : {}),
    rssi: advert.rssi,
    ...(advert.txPower !== undefined ? { tx_power: advert.txPower } : {}),
    ...(advert.manufacturerData ? { manufacturer_data: toHex(advert.manufacturerData) } : {}),
    ...(advert.serviceData?.length ? { service_data: advert.serviceData.map((s) => ({ uuid: s.uuid, data: toHex(s.data) })) } : {}),
    ...(advert.serviceUuids?.length ? { service_uuids: [...advert.serviceUuids] } : {}),
  };
}

/** One NDJSON line (without the newline) for `advert`. */
export function formatRecordLine(advert: Advert): string {
  return JSON.stringify(advertToRecord(advert));
}

/** A line that could not be read, and why. */
export type RecordParse = { ok: true; advert: Advert } | { ok: false; reason: string };

const bad = (reason: string): RecordParse => ({ ok: false, reason });
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

function bytes(value: unknown, what: string, min: number): Uint8Array | string {
  if (typeof value !== 'string') return `${what} is not a hex string`;
  if (value.length > ADVERT_LIMITS.dataBytes * 2) return `${what} is longer than ${ADVERT_LIMITS.dataBytes} bytes`;
  const parsed = parseHex(value);
  if (!parsed) return `${what} is not an even number of hex digits`;
  if (parsed.length < min) return `${what} has fewer than ${min} bytes`;
  return parsed;
}

function serviceData(value: unknown): ServiceData[] | string {
  if (!Array.isArray(value)) return 'service_data is not an array';
  if (value.length > ADVERT_LIMITS.serviceData) return `service_data has more than ${ADVERT_LIMITS.serviceData} entries`;
  const out: ServiceData[] = [];
  for (const [i, entry] of value.entries()) {
    const e = entry as { uuid?: unknown; data?: unknown } | null;
    const uuid = typeof e?.uuid === 'string' ? normalizeUuid(e.uuid) : undefined;
    if (!uuid) return `service_data[${i}].uuid is not a 16-, 32- or 128-bit UUID`;
    const data = bytes(e?.data, `service_data[${i}].data`, 0);
    if (typeof data === 'string') return data;
    out.push({ uuid, data });
  }
  return out;
}

function serviceUuids(value: unknown): string[] | string {
  if (!Array.isArray(value)) return 'service_uuids is not an array';
  if (value.length > ADVERT_LIMITS.serviceUuids) return `service_uuids has more than ${ADVERT_LIMITS.serviceUuids} entries`;
  const out: string[] = [];
  for (const [i, u] of value.entries()) {
    const uuid = typeof u === 'string' ? normalizeUuid(u) : undefined;
    if (!uuid) return `service_uuids[${i}] is not a UUID`;
    out.push(uuid);
  }
  return out;
}

/**
 * Reads one record line. Never throws: a line that is not JSON, lacks a required key or holds
 * a value out of range gives `{ ok: false, reason }`. Unknown keys are ignored so files written
 * by later versions still replay. UUIDs and addresses are normalized.
 */
export function parseRecordLine(line: string): RecordParse {
  let json: unknown;
  try {
    // A file saved by a Windows editor may begin with a byte-order mark: not part of the record.
    json = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  } catch {
    // Not JSON at all: the reason below says so; the parser's message adds nothing a user can act on.
    return bad('not a JSON object');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return bad('not a JSON object');
  const r = json as Record<string, unknown>;
  if (typeof r.t !== 'number' || !Number.isFinite(r.t) || r.t < 0) return bad('t is not a time in ms since the epoch');
  const address = typeof r.address === 'string' ? normalizeAddress(r.address) : undefined;
  if (!address) return bad('address is not a Bluetooth address like a4:c1:38:12:34:56');
  if (r.address_type !== 'public' && r.address_type !== 'random') return bad('address_type is not "public" or "random"');
  if (!isInt(r.rssi, -128, 127)) return bad('rssi is not an integer dBm');
  const advert: Advert = { t: r.t, address, addressType: r.address_type, rssi: r.rssi };
  if (r.name !== undefined) {
    if (typeof r.name !== 'string' || r.name.length > ADVERT_LIMITS.nameChars) return bad(`name is not a string of at most ${ADVERT_LIMITS.nameChars} characters`);
    advert.name = r.name;
  }
  if (r.tx_power !== undefined) {
    if (!isInt(r.tx_power, -128, 127)) return bad('tx_power is not an integer dBm');
    advert.txPower = r.tx_power;
  }
  if (r.manufacturer_data !== undefined) {
    const data = bytes(r.manufacturer_data, 'manufacturer_data', 2);
    if (typeof data === 'string') return bad(data);
    advert.manufacturerData = data;
  }
  if (r.service_data !== undefined) {
    const list = serviceData(r.service_data);
    if (typeof list === 'string') return bad(list);
    advert.serviceData = list;
  }
  if (r.service_uuids !== undefined) {
    const list = serviceUuids(r.service_uuids);
    if (typeof list === 'string') return bad(list);
    advert.serviceUuids = list;
  }
  return { ok: true, advert };
}
