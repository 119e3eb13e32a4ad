import type { DecodeResult, Measurement } from '../measurement.js';
import { problemResult } from '../measurement.js';

const FORMAT = '2a37';

/**
 * Decodes Heart Rate Measurement (0x2A37) per the Heart Rate Service specification: flags,
 * then the heart rate as uint8 or uint16 (bpm, flag bit 0), sensor contact (bits 1-2: given
 * only when the sensor supports detecting it), energy expended (uint16 kJ, bit 3) and RR
 * intervals (uint16 in 1/1024 s, bit 4; each a `rr_interval` measurement in seconds with its
 * `index`, oldest first, and an `event`: one beat, so an equal interval is a new one). A notification shorter than its flags announce is `truncated`.
 */
export function decodeHeartRate(data: Uint8Array): DecodeResult {
  if (data.length < 2) return problemResult(FORMAT, 'truncated', `a heart rate measurement has at least 2 bytes, this one ${data.length}`);
  const flags = data[0]!;
  const wide = (flags & 0x01) !== 0;
  const energy = (flags & 0x08) !== 0;
  const rr = (flags & 0x10) !== 0;
  const need = 1 + (wide ? 2 : 1) + (energy ? 2 : 0);
  if (data.length < need) return problemResult(FORMAT, 'truncated', `flags 0x${flags.toString(16)} announce ${need} bytes, the notification has ${data.length}`);
  const out: Measurement[] = [{ measurement: 'heart_rate', value: wide ? data[1]! | (data[2]! << 8) : data[1]!, unit: 'bpm' }];
  if ((flags & 0x04) !== 0) out.push({ measurement: 'sensor_contact', value: (flags & 0x02) !== 0 });
  let at = 1 + (wide ? 2 : 1);
  if (energy) {
    out.push({ measurement: 'energy_expended', value: data[at]! | (data[at + 1]! << 8), unit: 'kJ' });
    at += 2;
  }
  const result: DecodeResult = { measurements: out, problems: [] };
  if (rr) {
    let index = 0;
    for (; at + 1 < data.length; at += 2) out.push({ measurement: 'rr_interval', value: (data[at]! | (data[at + 1]! << 8)) / 1024, unit: 's', index: index++, event: true });
    if (at < data.length) result.problems.push({ kind: 'truncated', message: 'an RR interval is cut after its first byte', format: FORMAT });
  }
  return result;
}
