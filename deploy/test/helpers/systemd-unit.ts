import { readFileSync } from 'node:fs';

/** A systemd unit file: each section's keys, every value of a key in file order (ExecReload may repeat). */
export type SystemdUnit = Record<string, Record<string, string[]>>;

/** Reads a unit file as systemd does for what these tests need: sections, `Key=Value` lines, `#` and `;` comments. */
export function readSystemdUnit(path: string): SystemdUnit {
  const unit: SystemdUnit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`${path}: not a unit line: ${line}`);
    (section[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return unit;
}

/** The one value of `key` in `[Service]`; throws when it is not there once. */
export function serviceValue(unit: SystemdUnit, key: string): string {
  const values = unit.Service?.[key] ?? [];
  if (values.length !== 1) throw new Error(`[Service] ${key}: expected one value, found ${values.length}`);
  return values[0]!;
}

/** A command line of the unit, split into words as written (the unit quotes nothing). */
export function commandWords(line: string): string[] {
  return line.split(/\s+/).filter((w) => w !== '');
}
