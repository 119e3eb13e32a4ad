import type { DecodeResult } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { readIntBE } from './_read.js';

/** The Eddystone service UUID. */
export const EDDYSTONE_UUID = 'feaa';

const FORMAT = 'eddystone';

/** URL scheme prefixes (byte 2 of a URL frame). */
export const EDDYSTONE_SCHEMES: readonly string[] = ['http://www.', 'https://www.', 'http://', 'https://'];

/** Expansion codes 0x00-0x0d of the URL encoding. */
export const EDDYSTONE_EXPANSIONS: readonly string[] = [
  '.com/', '.org/', '.edu/', '.net/', '.info/', '.biz/', '.gov/',
  '.com', '.org', '.edu', '.net', '.info', '.biz', '.gov',
];

const txPower = (data: Uint8Array): number => readIntBE(data, 1, 1, true);

function uid(data: Uint8Array): DecodeResult {
  if (data.length < 18) return problemResult(FORMAT, 'truncated', `an Eddystone-UID frame has 18 bytes (20 with RFU), this one ${data.length}`);
  const hex = Buffer.from(data.subarray(2, 18)).toString('hex');
  return {
    measurements: [{ measurement: 'tx_power', value: txPower(data), unit: 'dBm' }],
    problems: [],
    identity: { namespace: hex.slice(0, 20), instance: hex.slice(20) },
  };
}

function url(data: Uint8Array): DecodeResult {
  if (data.length < 3) return problemResult(FORMAT, 'truncated', `an Eddystone-URL frame needs at least 3 bytes, this one has ${data.length}`);
  const scheme = EDDYSTONE_SCHEMES[data[2]!];
  if (scheme === undefined) return problemResult(FORMAT, 'malformed', `URL scheme prefix 0x${data[2]!.toString(16)} is reserved`);
  let text = scheme;
  for (let i = 3; i < data.length; i++) {
    const c = data[i]!;
    const expansion = EDDYSTONE_EXPANSIONS[c];
    if (expansion !== undefined) text += expansion;
    else if (c > 0x20 && c < 0x7f) text += String.fromCharCode(c);
    else return problemResult(FORMAT, 'malformed', `URL byte 0x${c.toString(16)} at ${i} is neither printable ASCII nor an expansion code`);
  }
  return { measurements: [{ measurement: 'tx_power', value: txPower(data), unit: 'dBm' }, { measurement: 'url', value: text }], problems: [], identity: { url: text } };
}

function tlm(data: Uint8Array): DecodeResult {
  if (data.length < 2) return problemResult(FORMAT, 'truncated', 'an Eddystone-TLM frame has no version byte');
  if (data[1] === 0x01) return problemResult(FORMAT, 'unsupported', 'encrypted Eddystone-TLM (version 1) needs the beacon\'s identity key; it is not decoded');
  if (data[1] !== 0x00) return problemResult(FORMAT, 'unsupported', `Eddystone-TLM version ${data[1]} is not defined`);
  if (data.length < 14) return problemResult(FORMAT, 'truncated', `an Eddystone-TLM frame has 14 bytes, this one ${data.length}`);
  const result: DecodeResult = { measurements: [], problems: [] };
  const mv = readIntBE(data, 2, 2, false);
  if (mv !== 0) result.measurements.push({ measurement: 'battery_voltage', value: mv / 1000, unit: 'V' });
  const temperature = readIntBE(data, 4, 2, true);
  if (temperature !== -0x8000) result.measurements.push({ measurement: 'temperature', value: temperature / 256, unit: '°C' });
  result.measurements.push({ measurement: 'advertisement_count', value: readIntBE(data, 6, 4, false) });
  result.measurements.push({ measurement: 'uptime', value: readIntBE(data, 10, 4, false) / 10, unit: 's' });
  return result;
}

/**
 * Decodes Eddystone service data (UUID 0xFEAA) per https://github.com/google/eddystone:
 * UID (namespace and instance to `identity`, `tx_power` at 0 m), URL (scheme prefix and
 * expansion codes; `url` as a measurement and in `identity`) and unencrypted TLM
 * (`battery_voltage` V, `temperature` °C from 8.8 fixed point, `advertisement_count`,
 * `uptime` s; 0 mV and 0x8000 mean "not supported" and give no measurement). Encrypted TLM
 * and EID frames are `unsupported`. Never throws.
 */
export function decodeEddystone(serviceData: Uint8Array): DecodeResult {
  if (serviceData.length < 2) return problemResult(FORMAT, 'truncated', `Eddystone service data of ${serviceData.length} bytes has no frame`);
  switch (serviceData[0]) {
    case 0x00:
      return uid(serviceData);
    case 0x10:
      return url(serviceData);
    case 0x20:
      return tlm(serviceData);
    case 0x30:
      return problemResult(FORMAT, 'unsupported', 'Eddystone-EID frames carry a rotating encrypted id; they are not decoded');
    default:
      return problemResult(FORMAT, 'unsupported', `Eddystone frame type 0x${serviceData[0]!.toString(16).padStart(2, '0')} is not defined`);
  }
}
