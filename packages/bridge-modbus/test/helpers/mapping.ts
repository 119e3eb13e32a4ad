import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkModbus } from '../../src/check.js';
import { modbusConfigSchema, type ModbusConfig } from '../../src/config.js';

/** Where the schema or `checkModbus` refuses a `modbus:` section (paths joined with dots); empty when accepted. Warnings refuse nothing. */
export function issues(value: unknown): { path: string; message: string }[] {
  const parsed = modbusConfigSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return checkModbus(parsed.data)
    .filter((i) => !i.warning)
    .map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Validates a `modbus:` section given as an object, as the mapping loader does (schema, then `checkModbus`); throws when refused. */
export function section(value: unknown): ModbusConfig {
  const refused = issues(value);
  if (refused.length > 0) throw new Error(`invalid modbus section: ${refused.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return modbusConfigSchema.parse(value);
}

/** One device on `connection` with `points`, plus device keys. */
export function oneDevice(connection: string, points: unknown[], extra: Record<string, unknown> = {}): ModbusConfig {
  return section({ devices: [{ name: 'plc', connection, ...extra, points }] });
}

/** A fixture folder's map.yaml with its connection replaced by `connection`. */
export function fixtureSection(file: string, connection: string): ModbusConfig {
  const raw = parse(readFileSync(file, 'utf8')) as { devices: Record<string, unknown>[] };
  for (const device of raw.devices) device.connection = connection;
  return section(raw);
}
