import { oneLine, textTable } from '@fieldbridge/core/bridge';
import type { HeardDevice, SurveyResult } from './survey.js';

/** What was listened to, for the listing's first line. */
export interface ScanSubject {
  /** `10 s on the default adapter (active scan)`, `the record file air.ndjson`. */
  heardFrom: string;
}

/** Formats an entry the bridge reads from adverts alone (no GATT, no custom slices). */
const ADVERT_FORMATS = new Set(['bthome', 'ruuvi', 'atc', 'pvvx', 'ibeacon', 'eddystone']);

function rssiText(d: HeardDevice): string {
  return d.rssiMin === d.rssiMax ? `${d.rssiMax}` : `${d.rssiMin}..${d.rssiMax}`;
}

/**
 * What a scan heard as text: one line per device (address and its type, name, adverts, signal
 * range in dBm, the formats its adverts look like, the mapping entry that takes them), then
 * `devices:` entries for the devices not mapped yet whose adverts a built-in decoder reads,
 * ready to paste under `ble:`. Pure.
 */
export function formatScan(result: SurveyResult, subject: ScanSubject): string {
  const { devices } = result;
  const lines = [`${result.countCapped ? 'more than ' : ''}${devices.length + result.notListed} devices heard in ${subject.heardFrom}, ${result.adverts} adverts:`];
  if (devices.length === 0) {
    lines.push('  (none: is the adapter near the sensors, and do they advertise? Passive scanning misses names.)');
    return `${lines.join('\n')}\n`;
  }
  const rows = devices.map((d) => [d.address, d.addressType, d.name === undefined ? '-' : oneLine(d.name), String(d.adverts), rssiText(d), d.formats.join(',') || '-', d.mappedAs ?? '-']);
  const header = ['address', 'type', 'name', 'adverts', 'rssi dBm', 'formats', 'mapped as'];
  lines.push(...textTable([header, ...rows], 32));
  if (result.notListed > 0) lines.push(`... and ${result.countCapped ? 'more than ' : ''}${result.notListed} more devices not listed`);
  const entries = deviceEntries(devices.filter((d) => d.mappedAs === undefined));
  lines.push('');
  if (entries.length === 0) {
    lines.push('No unmapped device advertises in a format the built-in decoders read (custom slices and GATT need a look at the device).');
  } else {
    lines.push(`# ${entries.length} devices not mapped yet, in formats the bridge decodes; paste under ble: and rename as you like`, 'devices:', ...entries);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `devices:` entries for devices whose adverts one built-in decoder reads: matched by address
 * when it is public, by local name when the address is random (it may rotate) and a name was
 * heard. Names are made from the local name or the address, unique.
 */
function deviceEntries(devices: readonly HeardDevice[]): string[] {
  const taken = new Set<string>();
  // A device whose random address rotates is heard as one address after another under one name:
  // one entry by that name matches them all (two would be refused as matching the same name).
  const addressesByName = new Map<string, number>();
  for (const d of devices) if (d.addressType === 'random' && d.name !== undefined) addressesByName.set(d.name, (addressesByName.get(d.name) ?? 0) + 1);
  const namesEntered = new Set<string>();
  const out: string[] = [];
  for (const d of devices) {
    const format = d.formats.find((f) => ADVERT_FORMATS.has(f));
    if (format === undefined) continue;
    const byName = d.addressType === 'random' && d.name !== undefined;
    if (byName && namesEntered.has(d.name!)) continue;
    if (byName) namesEntered.add(d.name!);
    const base = slug(d.name) ?? `${format}_${d.address.replace(/:/g, '').slice(-6)}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    const match = byName ? `local_name: ${JSON.stringify(d.name)}` : `address: '${d.address}'`;
    const rotated = byName ? (addressesByName.get(d.name!) ?? 1) : 1;
    const notes = [
      d.encrypted ? 'encrypted: add bind_key (the device\'s key)' : undefined,
      d.addressType === 'random' && !byName ? 'random address: matches only while it does not change' : undefined,
      rotated > 1 ? `heard from ${rotated} random addresses` : undefined,
    ].filter(Boolean);
    out.push(`  - { name: ${name}, ${match}, decoder: ${format} }${notes.length > 0 ? `  # ${notes.join('; ')}` : ''}`);
  }
  return out;
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
