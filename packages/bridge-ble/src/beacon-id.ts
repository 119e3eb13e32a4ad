import { companyIdOf, serviceDataOf, type Advert } from './advert/advert.js';
import { HEX_PAIRS, u16be } from './decode/_read.js';
import { EDDYSTONE_UUID } from './decode/eddystone.js';
import { APPLE_COMPANY_ID, IBEACON_LENGTH } from './decode/ibeacon.js';
import type { DeviceIdentity } from './identity.js';

/** Bytes of an Eddystone-UID frame up to the end of its instance (frame type, tx power, namespace, instance). */
const EDDYSTONE_UID_LENGTH = 18;

/**
 * What a beacon advert says it is: an iBeacon's proximity UUID (lowercase 8-4-4-4-12), major and
 * minor, or an Eddystone-UID frame's namespace (20 hex digits) and instance (12 hex digits).
 */
export type BeaconId = { kind: 'ibeacon'; uuid: string; major: number; minor: number } | { kind: 'eddystone'; namespace: string; instance: string };

function hex(b: Uint8Array, from: number, to: number, dashesAt: readonly number[] = []): string {
  let out = '';
  for (let i = from; i < to; i++) out += (dashesAt.includes(i - from) ? '-' : '') + HEX_PAIRS[b[i]!]!;
  return out;
}

/**
 * The beacon identity `advert` carries, or undefined: an iBeacon frame (Apple's company id
 * 0x004C, type 0x02, length 0x15, then UUID, major, minor), else an Eddystone-UID frame
 * (service data feaa, frame type 0x00). Other frames (Eddystone TLM and URL, other Apple
 * frames) carry none. Pure; never throws.
 */
export function beaconIdOf(advert: Pick<Advert, 'manufacturerData' | 'serviceData'>): BeaconId | undefined {
  const m = advert.manufacturerData;
  if (m !== undefined && m.length >= IBEACON_LENGTH && companyIdOf(advert) === APPLE_COMPANY_ID && m[2] === 0x02 && m[3] === 0x15) {
    return { kind: 'ibeacon', uuid: hex(m, 4, 20, [4, 6, 8, 10]), major: u16be(m, 20), minor: u16be(m, 22) };
  }
  const e = serviceDataOf(advert, EDDYSTONE_UUID);
  if (e !== undefined && e.length >= EDDYSTONE_UID_LENGTH && e[0] === 0x00) return { kind: 'eddystone', namespace: hex(e, 2, 12), instance: hex(e, 12, 18) };
  return undefined;
}

/** The tags that tell apart the beacons of one entry: `major` and `minor`, or `instance`. */
export function beaconTags(id: BeaconId): Record<string, string> {
  return id.kind === 'ibeacon' ? { major: String(id.major), minor: String(id.minor) } : { instance: id.instance };
}

/**
 * A beacon as a fleet entry tracks it, whatever address it advertises from (phones and asset
 * tags rotate random addresses): `key`, its identity (UUID, major and minor, or namespace and
 * instance); `label`, what names its channel (`2.27`, the instance); `tags`, those of its points.
 */
export type BeaconIdentity = DeviceIdentity;

/**
 * Whether frames without identity from a beacon's address belong to the beacon with identity
 * `key`: an Eddystone beacon's TLM frames do. An iBeacon sends none, so a multi-slot beacon
 * (iBeacon, Eddystone-UID and TLM from one address) leads its TLM frames to its Eddystone entry
 * whichever slot came last.
 */
export const leadsFrames = (key: string): boolean => key.startsWith('eddystone:');

/** The {@link BeaconIdentity} of `id`. */
export function beaconIdentity(id: BeaconId): BeaconIdentity {
  return id.kind === 'ibeacon'
    ? { key: `ibeacon:${id.uuid}/${id.major}/${id.minor}`, label: `${id.major}.${id.minor}`, tags: beaconTags(id), kind: 'beacon', text: `iBeacon ${id.uuid} major ${id.major} minor ${id.minor}` }
    : { key: `eddystone:${id.namespace}/${id.instance}`, label: id.instance, tags: beaconTags(id), kind: 'beacon', text: `Eddystone namespace ${id.namespace} instance ${id.instance}` };
}

/** The tag keys {@link beaconTags} gives for an entry matching `kind`. */
export const BEACON_TAG_KEYS = { ibeacon: ['major', 'minor'], eddystone: ['instance'] } as const;

const UUID_128 = /^[0-9a-f]{32}$/;
const NAMESPACE = /^[0-9a-f]{20}$/;

/** An iBeacon proximity UUID as the bridge compares it (lowercase 8-4-4-4-12), from any case, with or without dashes or braces; undefined if it is not 32 hex digits. */
export function normalizeIbeaconUuid(text: string): string | undefined {
  const digits = text.toLowerCase().replace(/^\{|\}$/g, '').replace(/-/g, '');
  if (!UUID_128.test(digits)) return undefined;
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

/** An Eddystone namespace as the bridge compares it (20 lowercase hex digits), from any case, with or without `0x`; undefined if it is not 10 bytes of hex. */
export function normalizeEddystoneNamespace(text: string): string | undefined {
  const digits = text.toLowerCase().replace(/^0x/, '');
  return NAMESPACE.test(digits) ? digits : undefined;
}
