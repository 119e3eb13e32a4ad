import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { modbusConfigSchema, type ModbusConfig } from '../../src/config.js';

/** Validates a `modbus:` section given as an object (throws with the zod issues when invalid). */
export function section(value: unknown): ModbusConfig {
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
