import type { DecodeResult, Measurement } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { hexJoin, i16be, u16be } from './_read.js';

/** Ruuvi Innovations' Bluetooth company id (`99 04` on air). */
export const RUUVI_COMPANY_ID = 0x0499;

const FORMAT = 'ruuvi';
/** Data format 5 (RAWv2) payload length after the company id. */
const RAWV2_LENGTH = 24;
/** Data format 3 (RAWv1) payload length after the company id. */
const RAWV1_LENGTH = 14;
/** Offsets below are into the manufacturer data, so the specification's offset + 2 (the company id). */
const AT = 2;

/** The Ruuvi data formats the bridge decodes: 5 (RAWv2), and 3 (RAWv1) of older firmware. */
export const RUUVI_FORMATS: readonly number[] = [5, 3];

/**
 * Decodes Ruuvi data format 3 (RAWv1), which firmware before 2.x sends (deprecated, still on the
 * air), per https://docs.ruuvi.com/communication/bluetooth-advertisements/data-format-3-rawv1:
 * humidity (0.5 % steps), temperature (sign bit, then whole degrees, then hundredths in the next
 * byte), pressure (Pa), acceleration x/y/z (g) and battery voltage (V). The format has no "not
 * available" marker, no counter and no MAC.
 */
function decodeRawv1(d: Uint8Array): DecodeResult {
  if (d.length - AT < RAWV1_LENGTH) return problemResult(FORMAT, 'truncated', `Ruuvi data format 3 has ${RAWV1_LENGTH} bytes, this one ${d.length - AT}`);
  const out: Measurement[] = [{ measurement: 'humidity', value: d[AT + 1]! / 2, unit: '%' }];
  const whole = d[AT + 2]!;
  const hundredths = d[AT + 3]!;
  const result: DecodeResult = { measurements: out, problems: [] };
  if (hundredths > 99) result.problems.push({ kind: 'malformed', message: `the temperature's hundredths byte is ${hundredths}, above 99: no temperature`, format: FORMAT });
  else {
    const hundredthsOfDegree = (whole & 0x7f) * 100 + hundredths;
    out.push({ measurement: 'temperature', value: ((whole & 0x80) !== 0 && hundredthsOfDegree !== 0 ? -hundredthsOfDegree : hundredthsOfDegree) / 100, unit: '°C' });
  }
  out.push(
    { measurement: 'pressure', value: u16be(d, AT + 4) + 50_000, unit: 'Pa' },
    { measurement: 'acceleration_x', value: i16be(d, AT + 6) / 1000, unit: 'g' },
    { measurement: 'acceleration_y', value: i16be(d, AT + 8) / 1000, unit: 'g' },
    { measurement: 'acceleration_z', value: i16be(d, AT + 10) / 1000, unit: 'g' },
    { measurement: 'battery_voltage', value: u16be(d, AT + 12) / 1000, unit: 'V' },
  );
  return result;
}

/**
 * Decodes Ruuvi data format 5 (RAWv2) from manufacturer data (company id 0x0499 first, as
 * recorded), and data format 3 (RAWv1) of older firmware (see `decodeRawv1`), per
 * https://docs.ruuvi.com/communication/bluetooth-advertisements/data-format-5-rawv2:
 * temperature (°C, 0.005 steps), humidity (%, 0.0025 steps), pressure (Pa), acceleration x/y/z
 * (g), battery voltage (V), TX power (dBm), movement counter and measurement sequence number;
 * the tag's MAC goes to `identity.mac`. Fields holding the format's "not available" marker
 * (0x8000 signed, all ones unsigned) give no measurement. Other data formats, another company
 * id or fewer bytes than the format has give a problem. Never throws.
 */
export function decodeRuuvi(d: Uint8Array): DecodeResult {
  if (d.length < 3) return problemResult(FORMAT, 'truncated', `manufacturer data of ${d.length} bytes holds no Ruuvi data format byte`);
  const company = d[0]! | (d[1]! << 8);
  if (company !== RUUVI_COMPANY_ID) return problemResult(FORMAT, 'malformed', `company id 0x${company.toString(16).padStart(4, '0')} is not Ruuvi's (0x0499)`);
  if (d[AT] === 3) return decodeRawv1(d);
  if (d[AT] !== 5) return problemResult(FORMAT, 'unsupported', `Ruuvi data format ${d[AT]} is not decoded (formats 5 and 3 are); set the tag to data format 5 (RAWv2), the firmware default`);
  if (d.length - AT < RAWV2_LENGTH) return problemResult(FORMAT, 'truncated', `Ruuvi data format 5 has ${RAWV2_LENGTH} bytes, this one ${d.length - AT}`);
  const out: Measurement[] = [];
  const temperature = i16be(d, AT + 1);
  if (temperature !== -0x8000) out.push({ measurement: 'temperature', value: temperature / 200, unit: '°C' });
  const humidity = u16be(d, AT + 3);
  if (humidity !== 0xffff) out.push({ measurement: 'humidity', value: humidity / 400, unit: '%' });
  const pressure = u16be(d, AT + 5);
  if (pressure !== 0xffff) out.push({ measurement: 'pressure', value: pressure + 50_000, unit: 'Pa' });
  const x = i16be(d, AT + 7);
  if (x !== -0x8000) out.push({ measurement: 'acceleration_x', value: x / 1000, unit: 'g' });
  const y = i16be(d, AT + 9);
  if (y !== -0x8000) out.push({ measurement: 'acceleration_y', value: y / 1000, unit: 'g' });
  const z = i16be(d, AT + 11);
  if (z !== -0x8000) out.push({ measurement: 'acceleration_z', value: z / 1000, unit: 'g' });
  const power = u16be(d, AT + 13);
  const voltage = power >>> 5;
  const tx = power & 0x1f;
  if (voltage !== 0x7ff) out.push({ measurement: 'battery_voltage', value: (1600 + voltage) / 1000, unit: 'V' });
  if (tx !== 0x1f) out.push({ measurement: 'tx_power', value: tx * 2 - 40, unit: 'dBm' });
  const movement = d[AT + 15]!;
  if (movement !== 0xff) out.push({ measurement: 'movement_counter', value: movement });
  const sequence = u16be(d, AT + 16);
  if (sequence !== 0xffff) out.push({ measurement: 'measurement_sequence', value: sequence });
  const result: DecodeResult = { measurements: out, problems: [] };
  const m = AT + 18;
  if ((d[m]! & d[m + 1]! & d[m + 2]! & d[m + 3]! & d[m + 4]! & d[m + 5]!) !== 0xff) result.identity = { mac: hexJoin(d, ':', m, 6) };
  return result;
}
