import type { DecodeResult, Measurement } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { hexJoin, readIntBE } from './_read.js';

/** Ruuvi Innovations' Bluetooth company id (`99 04` on air). */
export const RUUVI_COMPANY_ID = 0x0499;

const FORMAT = 'ruuvi';
/** Data format 5 (RAWv2) payload length after the company id. */
const RAWV2_LENGTH = 24;

const push = (out: Measurement[], measurement: string, value: number, unit?: string): void => {
  out.push(unit === undefined ? { measurement, value } : { measurement, value, unit });
};

/**
 * Decodes Ruuvi data format 5 (RAWv2) from manufacturer data (company id 0x0499 first, as
 * recorded), per https://docs.ruuvi.com/communication/bluetooth-advertisements/data-format-5-rawv2:
 * temperature (°C, 0.005 steps), humidity (%, 0.0025 steps), pressure (Pa), acceleration x/y/z
 * (g), battery voltage (V), TX power (dBm), movement counter and measurement sequence number;
 * the tag's MAC goes to `identity.mac`. Fields holding the format's "not available" marker
 * (0x8000 signed, all ones unsigned) give no measurement. Other data formats, another company
 * id or fewer than 24 bytes give a problem. Never throws.
 */
export function decodeRuuvi(manufacturerData: Uint8Array): DecodeResult {
  if (manufacturerData.length < 3) return problemResult(FORMAT, 'truncated', `manufacturer data of ${manufacturerData.length} bytes holds no Ruuvi data format byte`);
  const company = manufacturerData[0]! | (manufacturerData[1]! << 8);
  if (company !== RUUVI_COMPANY_ID) return problemResult(FORMAT, 'malformed', `company id 0x${company.toString(16).padStart(4, '0')} is not Ruuvi's (0x0499)`);
  const d = manufacturerData.subarray(2);
  if (d[0] !== 5) return problemResult(FORMAT, 'unsupported', `Ruuvi data format ${d[0]} is not decoded; set the tag to data format 5 (RAWv2), the firmware default`);
  if (d.length < RAWV2_LENGTH) return problemResult(FORMAT, 'truncated', `Ruuvi data format 5 has ${RAWV2_LENGTH} bytes, this one ${d.length}`);
  const out: Measurement[] = [];
  const temperature = readIntBE(d, 1, 2, true);
  if (temperature !== -0x8000) push(out, 'temperature', temperature / 200, '°C');
  const humidity = readIntBE(d, 3, 2, false);
  if (humidity !== 0xffff) push(out, 'humidity', humidity / 400, '%');
  const pressure = readIntBE(d, 5, 2, false);
  if (pressure !== 0xffff) push(out, 'pressure', pressure + 50_000, 'Pa');
  for (const [axis, at] of [['x', 7], ['y', 9], ['z', 11]] as const) {
    const mg = readIntBE(d, at, 2, true);
    if (mg !== -0x8000) push(out, `acceleration_${axis}`, mg / 1000, 'g');
  }
  const power = readIntBE(d, 13, 2, false);
  const voltage = power >>> 5;
  const tx = power & 0x1f;
  if (voltage !== 0x7ff) push(out, 'battery_voltage', (1600 + voltage) / 1000, 'V');
  if (tx !== 0x1f) push(out, 'tx_power', tx * 2 - 40, 'dBm');
  if (d[15] !== 0xff) push(out, 'movement_counter', d[15]!);
  const sequence = readIntBE(d, 16, 2, false);
  if (sequence !== 0xffff) push(out, 'measurement_sequence', sequence);
  const mac = d.subarray(18, 24);
  const result: DecodeResult = { measurements: out, problems: [] };
  if (!mac.every((b) => b === 0xff)) result.identity = { mac: hexJoin(mac, ':') };
  return result;
}
