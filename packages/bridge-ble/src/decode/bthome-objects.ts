import { linearMap, type LinearMap } from '../_scale.js';

/** How an object's bytes read. */
export type BthomeObjectKind =
  | 'packet_id'
  | 'number'
  | 'binary'
  | 'button'
  | 'dimmer'
  | 'timestamp'
  | 'text'
  | 'raw'
  | 'device_type_id'
  | 'firmware_version';

/** One BTHome v2 object id: what it measures, its size, sign, factor and unit. */
export interface BthomeObject {
  id: number;
  /** Measurement name (snake_case of the specification's property). */
  name: string;
  kind: BthomeObjectKind;
  /** Bytes after the object id; 0 for text and raw, whose first byte gives their length. */
  size: number;
  signed: boolean;
  /** The specification's factor (0.01 for temperature 0x02). */
  factor: number;
  unit?: string;
  /** `factor` compiled for clean decimals. */
  map: LinearMap;
}

type NumberRow = [id: number, name: string, size: number, signed: boolean, factor: number, unit?: string];

// Sensor objects of https://bthome.io/format/ (table "Sensor data"), with 0x60-0x64 as the
// reference parser (Bluetooth-Devices/bthome-ble const.py) defines them. Factors are exact
// decimals; units as the specification prints them.
const NUMBERS: NumberRow[] = [
  [0x01, 'battery', 1, false, 1, '%'],
  [0x02, 'temperature', 2, true, 0.01, '°C'],
  [0x03, 'humidity', 2, false, 0.01, '%'],
  [0x04, 'pressure', 3, false, 0.01, 'hPa'],
  [0x05, 'illuminance', 3, false, 0.01, 'lx'],
  [0x06, 'mass', 2, false, 0.01, 'kg'],
  [0x07, 'mass', 2, false, 0.01, 'lb'],
  [0x08, 'dewpoint', 2, true, 0.01, '°C'],
  [0x09, 'count', 1, false, 1],
  [0x0a, 'energy', 3, false, 0.001, 'kWh'],
  [0x0b, 'power', 3, false, 0.01, 'W'],
  [0x0c, 'voltage', 2, false, 0.001, 'V'],
  [0x0d, 'pm2_5', 2, false, 1, 'µg/m³'],
  [0x0e, 'pm10', 2, false, 1, 'µg/m³'],
  [0x12, 'co2', 2, false, 1, 'ppm'],
  [0x13, 'tvoc', 2, false, 1, 'µg/m³'],
  [0x14, 'moisture', 2, false, 0.01, '%'],
  [0x2e, 'humidity', 1, false, 1, '%'],
  [0x2f, 'moisture', 1, false, 1, '%'],
  [0x3d, 'count', 2, false, 1],
  [0x3e, 'count', 4, false, 1],
  [0x3f, 'rotation', 2, true, 0.1, '°'],
  [0x40, 'distance', 2, false, 1, 'mm'],
  [0x41, 'distance', 2, false, 0.1, 'm'],
  [0x42, 'duration', 3, false, 0.001, 's'],
  [0x43, 'current', 2, false, 0.001, 'A'],
  [0x44, 'speed', 2, false, 0.01, 'm/s'],
  [0x45, 'temperature', 2, true, 0.1, '°C'],
  [0x46, 'uv_index', 1, false, 0.1],
  [0x47, 'volume', 2, false, 0.1, 'L'],
  [0x48, 'volume', 2, false, 1, 'mL'],
  [0x49, 'volume_flow_rate', 2, false, 0.001, 'm³/h'],
  [0x4a, 'voltage', 2, false, 0.1, 'V'],
  [0x4b, 'gas', 3, false, 0.001, 'm³'],
  [0x4c, 'gas', 4, false, 0.001, 'm³'],
  [0x4d, 'energy', 4, false, 0.001, 'kWh'],
  [0x4e, 'volume', 4, false, 0.001, 'L'],
  [0x4f, 'water', 4, false, 0.001, 'L'],
  [0x51, 'acceleration', 2, false, 0.001, 'm/s²'],
  [0x52, 'gyroscope', 2, false, 0.001, '°/s'],
  [0x55, 'volume_storage', 4, false, 0.001, 'L'],
  [0x56, 'conductivity', 2, false, 1, 'µS/cm'],
  [0x57, 'temperature', 1, true, 1, '°C'],
  [0x58, 'temperature', 1, true, 0.35, '°C'],
  [0x59, 'count', 1, true, 1],
  [0x5a, 'count', 2, true, 1],
  [0x5b, 'count', 4, true, 1],
  [0x5c, 'power', 4, true, 0.01, 'W'],
  [0x5d, 'current', 2, true, 0.001, 'A'],
  [0x5e, 'direction', 2, false, 0.01, '°'],
  [0x5f, 'precipitation', 2, false, 0.1, 'mm'],
  [0x60, 'channel', 1, false, 1],
  [0x61, 'rotational_speed', 2, false, 1, 'rpm'],
  [0x62, 'speed', 4, true, 0.000001, 'm/s'],
  [0x63, 'acceleration', 4, true, 0.000001, 'm/s²'],
  [0x64, 'light_level', 1, false, 1],
];

// Binary sensors (uint8, 1 = on). Four share a property name with a sensor, so they carry a
// suffix saying what true means: battery_low, power_on, moisture_wet, gas_detected; and
// presence_detected, since `presence` is the bridge's own event of a device going silent and
// coming back (one series of both would mix a room's occupancy with the sensor's range).
const BINARIES: [number, string][] = [
  [0x0f, 'generic_boolean'], [0x10, 'power_on'], [0x11, 'opening'], [0x15, 'battery_low'],
  [0x16, 'battery_charging'], [0x17, 'carbon_monoxide'], [0x18, 'cold'], [0x19, 'connectivity'],
  [0x1a, 'door'], [0x1b, 'garage_door'], [0x1c, 'gas_detected'], [0x1d, 'heat'], [0x1e, 'light'],
  [0x1f, 'lock'], [0x20, 'moisture_wet'], [0x21, 'motion'], [0x22, 'moving'], [0x23, 'occupancy'],
  [0x24, 'plug'], [0x25, 'presence_detected'], [0x26, 'problem'], [0x27, 'running'], [0x28, 'safety'],
  [0x29, 'smoke'], [0x2a, 'sound'], [0x2b, 'tamper'], [0x2c, 'vibration'], [0x2d, 'window'],
];

const ONE = linearMap(1);

function special(id: number, name: string, kind: BthomeObjectKind, size: number, unit?: string): BthomeObject {
  return { id, name, kind, size, signed: false, factor: 1, map: ONE, ...(unit ? { unit } : {}) };
}

/** Every object id the decoder reads, indexed by id (undefined for unknown ids). */
export const BTHOME_OBJECTS: readonly (BthomeObject | undefined)[] = (() => {
  const table: (BthomeObject | undefined)[] = new Array(256).fill(undefined);
  for (const [id, name, size, signed, factor, unit] of NUMBERS) {
    table[id] = { id, name, kind: 'number', size, signed, factor, map: linearMap(factor), ...(unit ? { unit } : {}) };
  }
  for (const [id, name] of BINARIES) table[id] = special(id, name, 'binary', 1);
  table[0x00] = special(0x00, 'packet_id', 'packet_id', 1);
  table[0x3a] = special(0x3a, 'button', 'button', 1);
  table[0x3c] = special(0x3c, 'dimmer', 'dimmer', 2);
  table[0x50] = special(0x50, 'timestamp', 'timestamp', 4, 's');
  table[0x53] = special(0x53, 'text', 'text', 0);
  table[0x54] = special(0x54, 'raw', 'raw', 0);
  table[0xf0] = special(0xf0, 'device_type_id', 'device_type_id', 2);
  table[0xf1] = special(0xf1, 'firmware_version', 'firmware_version', 4);
  table[0xf2] = special(0xf2, 'firmware_version', 'firmware_version', 3);
  return table;
})();

/**
 * Button events by event id (0x00 is "no event", used to skip a button). Shelly BLU devices
 * before firmware 1.0.20 send a hold as 0xFE (their BLE documentation): the same `hold_press`.
 */
export const BUTTON_EVENTS: Readonly<Record<number, string>> = {
  0x01: 'press',
  0x02: 'double_press',
  0x03: 'triple_press',
  0x04: 'long_press',
  0x05: 'long_double_press',
  0x06: 'long_triple_press',
  0x80: 'hold_press',
  0xfe: 'hold_press',
};

/** Dimmer events by event id; the byte after it is the number of steps. */
export const DIMMER_EVENTS: Readonly<Record<number, string>> = { 0x01: 'rotate_left', 0x02: 'rotate_right' };
