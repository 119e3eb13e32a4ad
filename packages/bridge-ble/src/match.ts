import type { Advert } from './advert/advert.js';
import type { ResolvedDevice } from './resolve.js';

/** Finds the device entry an advert belongs to. */
export interface DeviceMatcher {
  /**
   * The entry `advert` belongs to, or undefined: an entry for its address first, then one for
   * its exact local name, then the one with the longest matching name prefix.
   */
  match(advert: Pick<Advert, 'address' | 'name'>): ResolvedDevice | undefined;
  /** True when some entry matches by name (so adverts without a name can be skipped by address alone). */
  readonly byName: boolean;
}

/**
 * Indexes the device entries so an advert of a device nobody mapped costs a map lookup (and,
 * when entries match by name, one more and a pass over the prefixes): a gateway among hundreds
 * of phones and beacons pays almost nothing for them. Addresses are normalized lowercase.
 */
export function createMatcher(devices: readonly ResolvedDevice[]): DeviceMatcher {
  const byAddress = new Map<string, ResolvedDevice>();
  const byExactName = new Map<string, ResolvedDevice>();
  const prefixes: { prefix: string; device: ResolvedDevice }[] = [];
  for (const device of devices) {
    const m = device.match;
    if (m.by === 'address') byAddress.set(m.address, device);
    else if (m.by === 'local_name') byExactName.set(m.name, device);
    else prefixes.push({ prefix: m.prefix, device });
  }
  // Longest first, so "ATC_A" wins over "ATC_" for ATC_ABCDEF.
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  const byName = byExactName.size > 0 || prefixes.length > 0;
  return {
    byName,
    match(advert) {
      const found = byAddress.get(advert.address);
      if (found || !byName) return found;
      const name = advert.name;
      if (name === undefined) return undefined;
      const exact = byExactName.get(name);
      if (exact) return exact;
      for (const p of prefixes) if (name.startsWith(p.prefix)) return p.device;
      return undefined;
    },
  };
}
