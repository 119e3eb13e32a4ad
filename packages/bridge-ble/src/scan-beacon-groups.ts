import { oneLine } from '@fieldbridge/core/bridge';
import type { BeaconId } from './beacon-id.js';
import type { HeardDevice } from './survey.js';

/** Beacons of one fleet `--scan` offers one entry for: the key that matches them all, and who they are. */
export interface BeaconGroup {
  /** `ibeacon_uuid` or `eddystone_namespace`, and its value. */
  key: { ibeacon_uuid: string } | { eddystone_namespace: string };
  decoder: 'ibeacon' | 'eddystone';
  /** A name for the entry: the format and the first digits of the UUID or namespace. */
  base: string;
  members: HeardDevice[];
  /** What the entry's comment says about them. */
  note: string;
}

/** The UUID or namespace that groups `id`, or undefined when the device's entry would not be of that format. */
function fleetOf(id: BeaconId | undefined, format: string): string | undefined {
  if (id?.kind === 'ibeacon' && format === 'ibeacon') return id.uuid;
  if (id?.kind === 'eddystone' && format === 'eddystone') return id.namespace;
  return undefined;
}

const example = (d: HeardDevice): string =>
  `${oneLine(d.address)} ${d.beacon?.kind === 'ibeacon' ? `major ${d.beacon.major} minor ${d.beacon.minor}` : `instance ${d.beacon?.kind === 'eddystone' ? d.beacon.instance : '?'}`}`;

/**
 * The fleets among `candidates` (unmapped devices and the built-in format each would be read
 * with): iBeacons sharing a proximity UUID, or Eddystone-UID beacons sharing a namespace, two or
 * more of them. A fleet is left out when its entry would take a device `heard` that an entry by
 * name prefix maps already (a beacon entry comes before a prefix); address and exact-name entries
 * come before it, so the others keep theirs. Pure.
 */
export function beaconGroups(candidates: readonly { device: HeardDevice; format: string }[], heard: readonly HeardDevice[]): BeaconGroup[] {
  const fleets = new Map<string, { decoder: 'ibeacon' | 'eddystone'; id: string; members: HeardDevice[] }>();
  for (const { device, format } of candidates) {
    const id = fleetOf(device.beacon, format);
    if (id === undefined) continue;
    const key = `${format}\u0000${id}`;
    const fleet = fleets.get(key);
    if (fleet) fleet.members.push(device);
    else fleets.set(key, { decoder: format as 'ibeacon' | 'eddystone', id, members: [device] });
  }
  const groups: BeaconGroup[] = [];
  for (const { decoder, id, members } of fleets.values()) {
    if (members.length < 2) continue;
    const own = new Set(members);
    const sameFleet = (d: HeardDevice): boolean => d.beacon !== undefined && (d.beacon.kind === 'ibeacon' ? d.beacon.uuid : d.beacon.namespace) === id;
    if (heard.some((d) => !own.has(d) && d.mappedBy === 'local_name_prefix' && sameFleet(d))) continue;
    const sorted = [...members].sort((a, b) => (a.address < b.address ? -1 : 1));
    const told = decoder === 'ibeacon' ? 'major and minor' : 'instance';
    groups.push({
      key: decoder === 'ibeacon' ? { ibeacon_uuid: id } : { eddystone_namespace: id },
      decoder,
      base: `${decoder}_${id.slice(0, 8)}`,
      members: sorted,
      note: `${members.length} beacons, e.g. ${example(sorted[0]!)}: each its own channel whatever address it uses, its points tagged with its ${told}`,
    });
  }
  return groups;
}
