import { flowYaml, oneLine } from '@fieldbridge/core/bridge';
import { changesAddress } from './identity.js';
import { beaconGroups } from './scan-beacon-groups.js';
import type { HeardDevice } from './survey.js';

/** Formats an entry the bridge reads from adverts alone (no GATT, no custom slices). */
const ADVERT_FORMATS = new Set(['bthome', 'ruuvi', 'atc', 'pvvx', 'ibeacon', 'eddystone']);
/** A name entry's `max_devices` when none is given (resolve.ts's `maxDevicesPerName`). */
const DEFAULT_MAX_DEVICES = 100;
/** The most a name entry may track (config.ts). */
const MAX_MAX_DEVICES = 1000;
/** The note of an entry taking devices that send only when something happens (see the tracker's sweep). */
const TRIGGER_BASED_NOTE = 'sends only when something happens (BTHome trigger based): called silent once heard only with a silent_after_s here (up to 7d)';
/** The same for an entry by address, whose device is awaited from the start. */
const TRIGGER_BASED_ADDRESS_NOTE = `${TRIGGER_BASED_NOTE}; until heard after a start, as any device named by address`;

/** Shortest name prefix offered as a template: shorter ones would take strangers' devices too. */
const MIN_STEM = 3;

/** One suggested `devices:` entry: the line to paste, and how many heard devices it takes. */
export interface SuggestedEntry {
  line: string;
  devices: number;
}

/** A suggestion before it is named: the entry's keys after `name`, and what the comment says. */
interface Draft {
  base: string;
  keys: Record<string, string | number>;
  devices: number;
  notes: string[];
}

/**
 * `devices:` entries for the `unmapped` devices whose adverts one built-in decoder reads.
 * Beacons of one fleet, two or more iBeacons of one proximity UUID or Eddystone-UID beacons of
 * one namespace, get one entry for all (`ibeacon_uuid` or `eddystone_namespace`; see
 * `beaconGroups`). Of the other devices, those of one format whose local names share a stem
 * (`ATC_` of `ATC_12AB34`, `Ruuvi ` of `Ruuvi 7A1F`) or one whole name (`LYWSD03MMC`) get one
 * entry for all (`local_name_prefix` or `local_name`, each device on its own channel with its
 * `address` tag), unless that entry would
 * also take a device `heard` of another kind that no address entry takes (the mapping's, or one
 * offered here: a device on an address that stays gets one, and it wins over any name entry), or
 * one mapped by a name already; kinds that share a stem (ATC1441 and pvvx thermometers are both
 * `ATC_`) are tried largest first, so the fleet gets the name entry and the odd ones their
 * address entries. Encrypted BTHome devices never share one (each has its own key). The others
 * get an entry each: by address when it stays (public, or random static as a Ruuvi tag's), by local name when it is a random
 * private one (it rotates, see `changesAddress`) and a name was heard. The
 * shared entries come first, most devices first, then the rest by format and name. Names are
 * made from the stem, the local name or the address, unique. Pure.
 */
export function suggestEntries(unmapped: readonly HeardDevice[], heard: readonly HeardDevice[] = unmapped): SuggestedEntry[] {
  const candidates = unmapped.flatMap((d) => {
    const format = d.formats.find((f) => ADVERT_FORMATS.has(f));
    return format === undefined ? [] : [{ device: d, format }];
  });
  const shared: Draft[] = [];
  const covered = new Set<HeardDevice>();
  // Beacons of one fleet (an iBeacon UUID, an Eddystone namespace): one entry takes them all, named or not.
  for (const group of beaconGroups(candidates, heard)) {
    for (const d of group.members) covered.add(d);
    shared.push({ base: group.base, keys: { ...group.key, decoder: group.decoder, ...maxDevicesFor(group.members.length) }, devices: group.members.length, notes: [group.note] });
  }
  // Devices of one format by the stem of their names: one entry may take them all.
  const kinds = new Map<string, { format: string; stem: string | undefined; members: HeardDevice[] }>();
  for (const { device, format } of candidates) {
    if (device.name === undefined || device.encrypted || covered.has(device)) continue;
    const stem = stemOf(device.name);
    const key = `${format}\u0000${stem === undefined ? `=${device.name}` : `^${stem}`}`;
    const kind = kinds.get(key);
    if (kind) kind.members.push(device);
    else kinds.set(key, { format, stem, members: [device] });
  }
  const unmappedCandidates = new Set(candidates.map((c) => c.device));
  // Taken by an address entry, the mapping's or one offered below (its address stays and no shared entry took it): that wins over any name entry.
  const byAddress = (d: HeardDevice): boolean => d.mappedBy === 'address' || (unmappedCandidates.has(d) && !covered.has(d) && !changesAddress(d));
  // The largest kind first: where kinds share a stem (the ATC1441 and pvvx firmwares both call themselves ATC_), the fleet gets the name entry.
  for (const { format, stem, members } of [...kinds.values()].sort((a, b) => b.members.length - a.members.length)) {
    const names = new Set(members.map((d) => d.name!));
    // One name heard only from addresses that rotate may be one device rotating them: the entries below say so.
    const exact = names.size === 1;
    if (members.length < 2 || (exact && members.every((d) => changesAddress(d)))) continue;
    const pattern = exact ? members[0]!.name! : stem!;
    const takes = (name: string | undefined) => name !== undefined && (exact ? name === pattern : name.startsWith(pattern));
    // Only devices of another kind that no address entry takes are in the way.
    const own = new Set(members);
    if (heard.some((d) => !own.has(d) && !byAddress(d) && takes(d.name))) continue;
    for (const d of members) covered.add(d);
    const n = members.length;
    const keys: Record<string, string | number> = { [exact ? 'local_name' : 'local_name_prefix']: pattern, decoder: format, ...maxDevicesFor(n) };
    const base = slug(pattern) ?? format;
    const notes = [`${n} devices, e.g. ${oneLine(members[0]!.address)} ${oneLine(members[0]!.name!)}: each its own channel, its points tagged with its address; {name} or {address} in the metric names them`];
    if (members.some((d) => d.triggerBased)) notes.push(TRIGGER_BASED_NOTE);
    shared.push({ base, keys, devices: n, notes });
  }
  shared.sort((a, b) => b.devices - a.devices || (a.base < b.base ? -1 : 1));
  return nameDrafts([...shared, ...singles(candidates.filter((c) => !covered.has(c.device)))]);
}

/** Room for twice as many as heard, when the default is less: more are ignored (too_many_devices) until one goes silent. */
function maxDevicesFor(n: number): { max_devices?: number } {
  return 2 * n > DEFAULT_MAX_DEVICES ? { max_devices: Math.min(MAX_MAX_DEVICES, 2 * n) } : {};
}

/** An entry per device; a device on a random private address (it rotates) is entered by its name, one entry for all the addresses heard under that name. */
function singles(candidates: readonly { device: HeardDevice; format: string }[]): Draft[] {
  const sorted = [...candidates].sort((a, b) => (a.format < b.format ? -1 : a.format > b.format ? 1 : sortKey(a.device) < sortKey(b.device) ? -1 : 1));
  const addressesByName = new Map<string, number>();
  for (const { device: d } of sorted) if (changesAddress(d) && d.name !== undefined) addressesByName.set(d.name, (addressesByName.get(d.name) ?? 0) + 1);
  const namesEntered = new Set<string>();
  const out: Draft[] = [];
  for (const { device: d, format } of sorted) {
    const rotates = changesAddress(d);
    const byName = rotates && d.name !== undefined;
    if (byName && namesEntered.has(d.name!)) continue;
    if (byName) namesEntered.add(d.name!);
    const rotated = byName ? (addressesByName.get(d.name!) ?? 1) : 1;
    out.push({
      base: slug(d.name) ?? `${format}_${d.address.replace(/:/g, '').slice(-6)}`,
      keys: { ...(byName ? { local_name: d.name! } : { address: d.address }), decoder: format },
      devices: 1,
      notes: [
        // Encrypted BTHome and the pvvx firmware's "Encrypted beacon" alike: the entry decrypts with the device's key.
        d.encrypted ? 'encrypted: add bind_key (the device\'s key)' : undefined,
        rotates && !byName ? 'random private address: matches only until it rotates (no name heard to follow instead)' : undefined,
        rotated > 1 ? `heard from ${rotated} random addresses` : undefined,
        d.triggerBased ? (byName ? TRIGGER_BASED_NOTE : TRIGGER_BASED_ADDRESS_NOTE) : undefined,
      ].filter((n): n is string => n !== undefined),
    });
  }
  return out;
}

function sortKey(d: HeardDevice): string {
  return `${d.name ?? '\uffff'}\u0000${d.address}`;
}

/** Gives each draft a unique name and prints it as one flow-style line. */
function nameDrafts(drafts: readonly Draft[]): SuggestedEntry[] {
  const taken = new Set<string>();
  return drafts.map((draft) => {
    let name = draft.base;
    for (let n = 2; taken.has(name); n++) name = `${draft.base}_${n}`;
    taken.add(name);
    const comment = draft.notes.length > 0 ? `  # ${draft.notes.join('; ')}` : '';
    return { line: `  - ${flowYaml({ name, ...draft.keys })}${comment}`, devices: draft.devices };
  });
}

/**
 * The part of a local name devices of one kind share: up to its last separator when letters or
 * digits follow it (`ATC_` of `ATC_12AB34`, `Ruuvi ` of `Ruuvi 7A1F`), or undefined (the name
 * itself then groups: `LYWSD03MMC`).
 */
function stemOf(name: string): string | undefined {
  const cut = /[^A-Za-z0-9][A-Za-z0-9]+$/.exec(name);
  return cut === null || cut.index + 1 < MIN_STEM ? undefined : name.slice(0, cut.index + 1);
}

/** A device name from a local name: lower case letters, digits and `_`, or undefined when nothing is left. */
function slug(name: string | undefined): string | undefined {
  const text = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return text === '' ? undefined : text;
}
