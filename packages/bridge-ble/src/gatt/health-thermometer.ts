import type { DecodeResult, Measurement } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { ieeeFloat } from './ieee11073.js';

/** Temperature Type values (Health Thermometer Service), index = value. */
export const TEMPERATURE_TYPES: readonly string[] = ['', 'armpit', 'body', 'ear', 'finger', 'gastrointestinal_tract', 'mouth', 'rectum', 'toe', 'tympanum'];

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Decodes Temperature Measurement (0x2A1C) and Intermediate Temperature (0x2A1E) per the
 * Health Thermometer Service: flags (bit 0 °F instead of °C, bit 1 time stamp present, bit 2
 * temperature type present), the temperature as an IEEE-11073 32-bit FLOAT, a Date Time
 * (`measured_at`, `YYYY-MM-DDTHH:MM:SS` in the device's clock; year 0 means unknown) and the
 * temperature type (`armpit`, `ear`, ...). A FLOAT holding NaN or another special value
 * gives no temperature.
 */
export function decodeTemperatureMeasurement(data: Uint8Array, format = '2a1c'): DecodeResult {
  if (data.length < 5) return problemResult(format, 'truncated', `a temperature measurement has at least 5 bytes, this one ${data.length}`);
  const flags = data[0]!;
  const hasTime = (flags & 0x02) !== 0;
  const hasType = (flags & 0x04) !== 0;
  const need = 5 + (hasTime ? 7 : 0) + (hasType ? 1 : 0);
  if (data.length < need) return problemResult(format, 'truncated', `flags 0x${flags.toString(16)} announce ${need} bytes, the value has ${data.length}`);
  const out: Measurement[] = [];
  const value = ieeeFloat((data[1]! | (data[2]! << 8) | (data[3]! << 16) | (data[4]! << 24)) >>> 0);
  if (value !== undefined) out.push({ measurement: 'temperature', value, unit: (flags & 0x01) !== 0 ? '°F' : '°C' });
  let at = 5;
  if (hasTime) {
    const year = data[at]! | (data[at + 1]! << 8);
    if (year !== 0) {
      const [month, day, hours, minutes, seconds] = [data[at + 2]!, data[at + 3]!, data[at + 4]!, data[at + 5]!, data[at + 6]!];
      out.push({ measurement: 'measured_at', value: `${year}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}` });
    }
    at += 7;
  }
  if (hasType) {
    const type = TEMPERATURE_TYPES[data[at]!];
    if (type) out.push({ measurement: 'temperature_type', value: type });
  }
  return { measurements: out, problems: [] };
}
