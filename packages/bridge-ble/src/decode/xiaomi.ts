import type { DecodeResult } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { hexJoin, hexJoinReversed, i16be, i16le, u16be, u16le } from './_read.js';

/** The Environmental Sensing service UUID the ATC1441 and pvvx firmwares advertise under. */
export const XIAOMI_CUSTOM_UUID = '181a';

/** Service data bytes (after the UUID) of the ATC1441 format. */
export const ATC1441_LENGTH = 13;
/** Service data bytes (after the UUID) of the pvvx custom format. */
export const PVVX_LENGTH = 15;

/**
 * Service data bytes of the pvvx custom format with the firmware's "Encrypted beacon" option set:
 * a counter byte, the encrypted values, a 4-byte MIC (AES-CCM under the device's bind key), per
 * the pvvx firmware's python-interface (`custom_enc_format`).
 */
export const PVVX_ENCRYPTED_LENGTH = 11;
/** Service data bytes of the ATC1441 format encrypted so (`atc1441_enc_format`; see {@link PVVX_ENCRYPTED_LENGTH}). */
export const ATC1441_ENCRYPTED_LENGTH = 8;
const ENCRYPTED_FORMATS: ReadonlyMap<number, string> = new Map([[PVVX_ENCRYPTED_LENGTH, 'pvvx custom'], [ATC1441_ENCRYPTED_LENGTH, 'ATC1441']]);

/** Service data 181a of one of the firmwares' encrypted formats (see {@link PVVX_ENCRYPTED_LENGTH}). */
export const isEncryptedXiaomi = (serviceData: Uint8Array): boolean => ENCRYPTED_FORMATS.has(serviceData.length);

function wrongLength(format: 'atc' | 'pvvx', length: number): DecodeResult {
  const encrypted = ENCRYPTED_FORMATS.get(length);
  if (encrypted !== undefined) {
    // Not decrypted: its nonce and associated data are not BTHome's, and the same firmware can send
    // encrypted BTHome instead, which the bridge decrypts with a bind_key.
    return problemResult(
      format,
      'encrypted',
      `service data 181a of ${length} bytes is the ${encrypted} format encrypted with a bind key (the firmware's "Encrypted beacon" option), which the bridge does not decrypt: turn that option off in the firmware's settings (TelinkMiFlasher), or set its advertising type to BTHome and map it with decoder bthome and its bind_key`,
    );
  }
  const expected = format === 'atc' ? ATC1441_LENGTH : PVVX_LENGTH;
  const hint = format === 'atc' && length === PVVX_LENGTH
    ? ': 15 bytes is the pvvx custom format, use decoder pvvx'
    : format === 'pvvx' && length === ATC1441_LENGTH ? ': 13 bytes is the ATC1441 format, use decoder atc' : '';
  return problemResult(format, hint === '' && length < expected ? 'truncated' : 'malformed', `service data 181a of ${length} bytes is not the ${format === 'atc' ? 'ATC1441' : 'pvvx custom'} format (${expected} bytes)${hint}`);
}

/**
 * Decodes the ATC1441 advertising format of the custom firmware for Xiaomi LYWSD03MMC
 * thermometers (service data 0x181A, 13 bytes, big-endian, per
 * https://github.com/atc1441/ATC_MiThermometer#advertising-format-of-the-custom-firmware):
 * MAC (to `identity.mac`), temperature (0.1 °C), humidity (1 %), battery (%), battery voltage
 * (mV, given in V) and the frame counter. Never throws.
 */
export function decodeAtc1441(serviceData: Uint8Array): DecodeResult {
  if (serviceData.length !== ATC1441_LENGTH) return wrongLength('atc', serviceData.length);
  return {
    measurements: [
      { measurement: 'temperature', value: i16be(serviceData, 6) / 10, unit: '°C' },
      { measurement: 'humidity', value: serviceData[8]!, unit: '%' },
      { measurement: 'battery', value: serviceData[9]!, unit: '%' },
      { measurement: 'battery_voltage', value: u16be(serviceData, 10) / 1000, unit: 'V' },
      { measurement: 'counter', value: serviceData[12]! },
    ],
    problems: [],
    identity: { mac: hexJoin(serviceData, ':', 0, 6) },
  };
}

/**
 * Decodes the pvvx custom format of the same firmware family (service data 0x181A, 15 bytes,
 * little-endian, per https://github.com/pvvx/ATC_MiThermometer#custom-format-all-data-little-endian):
 * MAC (sent least significant byte first; to `identity.mac` in the usual order), temperature
 * (0.01 °C), humidity (0.01 %), battery voltage (mV, given in V), battery (%), measurement
 * counter and the GPIO/trigger flags byte. Never throws.
 */
export function decodePvvx(serviceData: Uint8Array): DecodeResult {
  if (serviceData.length !== PVVX_LENGTH) return wrongLength('pvvx', serviceData.length);
  return {
    measurements: [
      { measurement: 'temperature', value: i16le(serviceData, 6) / 100, unit: '°C' },
      { measurement: 'humidity', value: u16le(serviceData, 8) / 100, unit: '%' },
      { measurement: 'battery_voltage', value: u16le(serviceData, 10) / 1000, unit: 'V' },
      { measurement: 'battery', value: serviceData[12]!, unit: '%' },
      { measurement: 'counter', value: serviceData[13]! },
      { measurement: 'flags', value: serviceData[14]! },
    ],
    problems: [],
    identity: { mac: hexJoinReversed(serviceData, ':', 0, 6) },
  };
}
