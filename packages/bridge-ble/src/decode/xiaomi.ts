import type { DecodeResult } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { hexJoin, hexJoinReversed, i16be, i16le, u16be, u16le } from './_read.js';
import { decodeXiaomiEncrypted, type XiaomiCryptoOptions, type XiaomiResult } from './xiaomi-encrypted.js';

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

const FORMAT_NAMES = { atc: 'ATC1441', pvvx: 'pvvx custom' } as const;
const PLAIN_LENGTHS = { atc: ATC1441_LENGTH, pvvx: PVVX_LENGTH } as const;
const ENCRYPTED_LENGTHS = { atc: ATC1441_ENCRYPTED_LENGTH, pvvx: PVVX_ENCRYPTED_LENGTH } as const;

function wrongLength(format: 'atc' | 'pvvx', length: number): DecodeResult {
  const encrypted = ENCRYPTED_FORMATS.get(length);
  if (encrypted !== undefined) {
    return problemResult(
      format,
      'encrypted',
      `service data 181a of ${length} bytes is the ${encrypted} format encrypted with a bind key (the firmware's "Encrypted beacon" option): set bind_key for this device (the 32 hex digits set in the firmware's settings, TelinkMiFlasher), or turn that option off`,
    );
  }
  const expected = PLAIN_LENGTHS[format];
  const hint = format === 'atc' && length === PVVX_LENGTH
    ? ': 15 bytes is the pvvx custom format, use decoder pvvx'
    : format === 'pvvx' && length === ATC1441_LENGTH ? ': 13 bytes is the ATC1441 format, use decoder atc' : '';
  return problemResult(format, hint === '' && length < expected ? 'truncated' : 'malformed', `service data 181a of ${length} bytes is not the ${FORMAT_NAMES[format]} format (${expected} bytes)${hint}`);
}

/**
 * With a bind key only the encrypted format is read: anyone can send the plain one with the
 * device's address. Undefined when `serviceData` is for the plain decoder (no key).
 */
function withKey(format: 'atc' | 'pvvx', serviceData: Uint8Array, options: XiaomiCryptoOptions | undefined): XiaomiResult | undefined {
  const key = options?.bindKey;
  if (!key) return undefined;
  const { length } = serviceData;
  if (length === ENCRYPTED_LENGTHS[format]) return decodeXiaomiEncrypted(format, serviceData, key, options);
  if (length === PLAIN_LENGTHS[format]) {
    return problemResult(format, 'not_encrypted', `a bind key is set for this device but service data 181a of ${length} bytes is the ${FORMAT_NAMES[format]} format unencrypted; ignored, since anyone can send unencrypted adverts with this address (remove bind_key if the firmware no longer encrypts)`);
  }
  const other = format === 'atc' ? 'pvvx' : 'atc';
  if (length === ENCRYPTED_LENGTHS[other]) {
    return problemResult(format, 'malformed', `service data 181a of ${length} bytes is the ${FORMAT_NAMES[other]} format encrypted, not the ${FORMAT_NAMES[format]} one (${ENCRYPTED_LENGTHS[format]} bytes): use decoder ${other}`);
  }
  return problemResult(format, length < ENCRYPTED_LENGTHS[format] ? 'truncated' : 'malformed', `service data 181a of ${length} bytes is not the ${FORMAT_NAMES[format]} format encrypted (${ENCRYPTED_LENGTHS[format]} bytes)`);
}

/**
 * Decodes the ATC1441 advertising format of the custom firmware for Xiaomi LYWSD03MMC
 * thermometers (service data 0x181A, 13 bytes, big-endian, per
 * https://github.com/atc1441/ATC_MiThermometer#advertising-format-of-the-custom-firmware):
 * MAC (to `identity.mac`), temperature (0.1 °C), humidity (1 %), battery (%), battery voltage
 * (mV, given in V) and the frame counter. With `options.bindKey`, the format encrypted by the
 * firmware's "Encrypted beacon" option instead (8 bytes; see `decodeXiaomiEncrypted`), whose
 * values are coarser (0.5 °C, 0.5 %) and carry no voltage. Never throws.
 */
export function decodeAtc1441(serviceData: Uint8Array, options?: XiaomiCryptoOptions): XiaomiResult {
  const encrypted = withKey('atc', serviceData, options);
  if (encrypted) return encrypted;
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
 * counter and the GPIO/trigger flags byte. With `options.bindKey`, the format encrypted by the
 * firmware's "Encrypted beacon" option instead (11 bytes; see `decodeXiaomiEncrypted`), which
 * carries no battery voltage. Never throws.
 */
export function decodePvvx(serviceData: Uint8Array, options?: XiaomiCryptoOptions): XiaomiResult {
  const encrypted = withKey('pvvx', serviceData, options);
  if (encrypted) return encrypted;
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
