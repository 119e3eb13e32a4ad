import { oneLine } from '@fieldbridge/core/bridge';
import type { Advert } from './advert/advert.js';
import type { DeviceMatch } from './resolve-match.js';

/**
 * What a device is tracked by when its address may change under it (phones and asset tags
 * rotate a random address every 15 minutes or so): a beacon's identity (iBeacon UUID, major and
 * minor; Eddystone namespace and instance) or the local name it advertises. Its points carry the
 * identity's tags instead of the address, so a rotation neither splits its series nor makes it
 * look silent.
 */
export interface DeviceIdentity {
  /** What it is tracked by, unique among the devices tracked: `ibeacon:<uuid>/<major>/<minor>`, `eddystone:<namespace>/<instance>`, `name:<name>`; `@<address>` after it when split off (see {@link at}). */
  readonly key: string;
  /** What names it under its entry (channel `<entry>/<label>`: `2.27`, an instance, a name), and `{name}` when no name was heard. */
  readonly label: string;
  /** The tags its points carry instead of `address`: `major` and `minor`, `instance`, or `local_name`. */
  readonly tags: Readonly<Record<string, string>>;
  /** `beacon`: an iBeacon or Eddystone-UID id; `name`: an advertised local name. */
  readonly kind: 'beacon' | 'name';
  /** The identity in words, for messages: `iBeacon f7826da6-… major 3 minor 7`, `the name "Tag 12"`. */
  readonly text: string;
  /**
   * Set when two devices advertised this identity at once and this one was split off from the
   * other: the address that tells it apart, also in its tags (`address`) and its channel
   * (`<entry>/<label>@<address>`).
   */
  readonly at?: string;
}

/** The identity of a device tracked by its advertised local name `name`. */
export function nameIdentity(name: string): DeviceIdentity {
  return { key: `name:${name}`, label: name, tags: { local_name: name }, kind: 'name', text: `the name "${oneLine(name)}"` };
}

/** The key of the device at `address` split off from another advertising the identity of `key`. */
export const splitKey = (key: string, address: string): string => `${key}@${address}`;

/** `identity` pinned to `address`: a second device advertising it at once, kept apart from the first. */
export function splitIdentity(identity: DeviceIdentity, address: string): DeviceIdentity {
  return { ...identity, key: splitKey(identity.key, address), tags: { ...identity.tags, address }, at: address };
}

/** The problem kind of two devices advertising one identity at once. */
export const sharedIdentityKind = (identity: DeviceIdentity): 'cloned_beacon' | 'ambiguous_name' => (identity.kind === 'beacon' ? 'cloned_beacon' : 'ambiguous_name');

/**
 * Whether `advert` comes from an address its device changes: a random private address
 * (resolvable, or non-resolvable), told by the two top bits of its first octet (Core
 * specification, Vol 6, Part B, 1.3.2). A public address, and a random static one (top bits
 * 11, kept until the device is reset), stay.
 */
export function changesAddress(advert: Pick<Advert, 'address' | 'addressType'>): boolean {
  return advert.addressType === 'random' && (Number.parseInt(advert.address.slice(0, 2), 16) & 0xc0) !== 0xc0;
}

/**
 * The identity a device matched by name is tracked by: its advertised name when it advertises
 * from an address it changes (it follows the name to each new address), else none (tracked by
 * its address, so several devices on fixed addresses may share one name).
 */
export function followedName(match: DeviceMatch, advert: Pick<Advert, 'address' | 'addressType' | 'name'>): DeviceIdentity | undefined {
  if ((match.by !== 'local_name' && match.by !== 'local_name_prefix') || advert.name === undefined || !changesAddress(advert)) return undefined;
  return nameIdentity(advert.name);
}
