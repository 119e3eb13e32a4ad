import type { Advert } from './advert/advert.js';
import { beaconIdOf } from './beacon-id.js';
import type { ResolvedDevice } from './resolve.js';

/** Finds the device entry an advert belongs to. */
export interface DeviceMatcher {
  /**
   * The entry `advert` belongs to, or undefined: an entry for its address first, then one for
   * its exact local name, then one for its beacon identity (an iBeacon UUID entry narrowed to
   * its major before one for the whole UUID; an Eddystone namespace), then the one with the
   * longest matching name prefix.
   */
  match(advert: Pick<Advert, 'address' | 'name' | 'manufacturerData' | 'serviceData'>): ResolvedDevice | undefined;
  /** True when some entry matches by name or beacon identity (so adverts cannot be skipped by address alone). */
  readonly byName: boolean;
  /** True when some entry matches a beacon fleet (iBeacon UUID, Eddystone namespace). */
  readonly beacons: boolean;
}

/**
 * Indexes the device entries so an advert of a device nobody mapped costs a map lookup (and,
 * when entries match by name, one more and a pass over the prefixes; when entries match
 * beacons, a look at its manufacturer or Eddystone data): a gateway among hundreds of phones
 * and beacons pays almost nothing for them. Addresses are normalized lowercase.
 */
export function createMatcher(devices: readonly ResolvedDevice[]): DeviceMatcher {
  const byAddress = new Map<string, ResolvedDevice>();
  const byExactName = new Map<string, ResolvedDevice>();
  /** iBeacon entries by `uuid` (whole UUID) and `uuid/major` (narrowed). */
  const byIbeacon = new Map<string, ResolvedDevice>();
  const byNamespace = new Map<string, ResolvedDevice>();
  const prefixes: { prefix: string; device: ResolvedDevice }[] = [];
  for (const device of devices) {
    const m = device.match;
    if (m.by === 'address') byAddress.set(m.address, device);
    else if (m.by === 'local_name') byExactName.set(m.name, device);
    else if (m.by === 'ibeacon_uuid') byIbeacon.set(m.major === undefined ? m.uuid : `${m.uuid}/${m.major}`, device);
    else if (m.by === 'eddystone_namespace') byNamespace.set(m.namespace, device);
    else prefixes.push({ prefix: m.prefix, device });
  }
  // Longest first, so "ATC_A" wins over "ATC_" for ATC_ABCDEF.
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  const beacons = byIbeacon.size > 0 || byNamespace.size > 0;
  const byName = byExactName.size > 0 || prefixes.length > 0 || beacons;
  return {
    byName,
    beacons,
    match(advert) {
      const found = byAddress.get(advert.address);
      if (found || !byName) return found;
      const name = advert.name;
      const exact = name === undefined ? undefined : byExactName.get(name);
      if (exact) return exact;
      if (beacons) {
        const id = beaconIdOf(advert);
        const beacon = id === undefined ? undefined : id.kind === 'ibeacon' ? (byIbeacon.get(`${id.uuid}/${id.major}`) ?? byIbeacon.get(id.uuid)) : byNamespace.get(id.namespace);
        if (beacon) return beacon;
      }
      if (name === undefined) return undefined;
      for (const p of prefixes) if (name.startsWith(p.prefix)) return p.device;
      return undefined;
    },
  };
}
