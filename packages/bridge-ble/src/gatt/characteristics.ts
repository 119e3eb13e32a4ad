import { normalizeUuid } from '../advert/advert.js';
import type { DecodeResult, Measurement } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { readIntLE } from '../decode/_read.js';
import { decodeTemperatureMeasurement } from './health-thermometer.js';
import { decodeHeartRate } from './heart-rate.js';

/** A standard characteristic the bridge decodes. */
export interface CharacteristicDecoder {
  /** The specification's name, e.g. `Heart Rate Measurement`. */
  name: string;
  decode(data: Uint8Array): DecodeResult;
}

/** Body Sensor Location values (Heart Rate Service), index = value. */
export const BODY_SENSOR_LOCATIONS: readonly string[] = ['other', 'chest', 'wrist', 'finger', 'hand', 'ear_lobe', 'foot'];

/**
 * A fixed-size little-endian integer characteristic: `raw / divisor` (an exact power of ten,
 * so values are clean decimals), with the specification's "value is not known" marker, if it
 * has one, giving no measurement.
 */
function scalar(uuid: string, name: string, measurement: string, size: number, signed: boolean, divisor: number, unit: string | undefined, unknown?: number, max?: number): CharacteristicDecoder {
  return {
    name,
    decode(data) {
      if (data.length < size) return problemResult(uuid, 'truncated', `${name} has ${size} bytes, this value ${data.length}`);
      const raw = readIntLE(data, 0, size, signed);
      if (raw === unknown) return { measurements: [], problems: [] };
      if (max !== undefined && raw > max) return problemResult(uuid, 'malformed', `${name} ${raw} is above its maximum ${max}`);
      const m: Measurement = { measurement, value: divisor === 1 ? raw : raw / divisor };
      if (unit !== undefined) m.unit = unit;
      return { measurements: [m], problems: [] };
    },
  };
}

function bodySensorLocation(data: Uint8Array): DecodeResult {
  if (data.length < 1) return problemResult('2a38', 'truncated', 'Body Sensor Location is empty');
  const location = BODY_SENSOR_LOCATIONS[data[0]!];
  if (location === undefined) return problemResult('2a38', 'malformed', `body sensor location ${data[0]} is reserved`);
  return { measurements: [{ measurement: 'body_sensor_location', value: location }], problems: [] };
}

/**
 * Standard characteristics by 16-bit UUID, decoded per the Bluetooth GATT Specification
 * Supplement: environmental sensing (temperature, humidity, pressure, elevation, illuminance,
 * UV index, dew point, CO2), battery level, the health thermometer and heart rate services.
 */
export const GATT_CHARACTERISTICS: Readonly<Record<string, CharacteristicDecoder>> = {
  '2a19': scalar('2a19', 'Battery Level', 'battery', 1, false, 1, '%', undefined, 100),
  '2a1c': { name: 'Temperature Measurement', decode: (d) => decodeTemperatureMeasurement(d, '2a1c') },
  '2a1e': { name: 'Intermediate Temperature', decode: (d) => decodeTemperatureMeasurement(d, '2a1e') },
  '2a1f': scalar('2a1f', 'Temperature Celsius', 'temperature', 2, true, 10, '°C'),
  '2a37': { name: 'Heart Rate Measurement', decode: decodeHeartRate },
  '2a38': { name: 'Body Sensor Location', decode: bodySensorLocation },
  '2a6c': scalar('2a6c', 'Elevation', 'elevation', 3, true, 100, 'm'),
  '2a6d': scalar('2a6d', 'Pressure', 'pressure', 4, false, 10, 'Pa'),
  '2a6e': scalar('2a6e', 'Temperature', 'temperature', 2, true, 100, '°C', -0x8000),
  '2a6f': scalar('2a6f', 'Humidity', 'humidity', 2, false, 100, '%', 0xffff),
  '2a76': scalar('2a76', 'UV Index', 'uv_index', 1, false, 1, undefined),
  '2a7b': scalar('2a7b', 'Dew Point', 'dewpoint', 1, true, 1, '°C'),
  '2afb': scalar('2afb', 'Illuminance', 'illuminance', 3, false, 100, 'lx', 0xffffff),
  '2b8c': scalar('2b8c', 'CO2 Concentration', 'co2', 2, false, 1, 'ppm', 0xffff),
};

/**
 * Decodes a characteristic value by its UUID (any spelling `normalizeUuid` accepts). A UUID
 * with no built-in decoder gives an `unsupported` problem (a custom decoder can read it).
 * Never throws.
 */
export function decodeCharacteristic(uuid: string, data: Uint8Array): DecodeResult {
  // The common case, a UUID already in its short form, skips normalizing.
  const key = uuid in GATT_CHARACTERISTICS ? uuid : normalizeUuid(uuid) ?? uuid;
  const decoder = GATT_CHARACTERISTICS[key];
  if (!decoder) return problemResult(key, 'unsupported', `characteristic ${key} has no built-in decoder; decode it with a custom decoder`);
  return decoder.decode(data);
}
