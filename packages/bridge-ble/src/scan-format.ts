import { oneLine, textTable } from '@fieldbridge/core/bridge';
import { suggestEntries } from './scan-entries.js';
import type { HeardDevice, SurveyResult } from './survey.js';

/** What was listened to, for the listing's first line. */
export interface ScanSubject {
  /** `10 s on the default adapter (active scan)`, `the record file air.ndjson`. */
  heardFrom: string;
}

function rssiText(d: HeardDevice): string {
  if (d.rssiMin === undefined || d.rssiMax === undefined) return '-';
  return d.rssiMin === d.rssiMax ? `${d.rssiMax}` : `${d.rssiMin}..${d.rssiMax}`;
}

/**
 * What a scan heard as text: one line per device (address and its type, name, adverts, signal
 * range in dBm, the formats its adverts look like, the mapping entry that takes them), then
 * `devices:` entries for the devices not mapped yet whose adverts a built-in decoder reads
 * (`suggestEntries`: one for all the devices of a kind), ready to paste under `ble:`. Pure.
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
  const entries = suggestEntries(devices.filter((d) => d.mappedAs === undefined), devices);
  lines.push('');
  if (entries.length === 0) {
    lines.push('No unmapped device advertises in a format the built-in decoders read (custom slices and GATT need a look at the device).');
  } else {
    const taken = entries.reduce((sum, e) => sum + e.devices, 0);
    const count = taken === entries.length ? `${taken} devices` : `${taken} devices in ${entries.length} entries`;
    lines.push(`# ${count} not mapped yet, in formats the bridge decodes; paste under ble: and rename as you like`, 'devices:', ...entries.map((e) => e.line));
  }
  return `${lines.join('\n')}\n`;
}
