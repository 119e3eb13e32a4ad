import type { DecodeResult } from '../measurement.js';
import { problemResult } from '../measurement.js';
import { HEX_PAIRS, u16be } from './_read.js';

/** Apple's Bluetooth company id (`4c 00` on air). */
export const APPLE_COMPANY_ID = 0x004c;
/** Manufacturer data bytes of an iBeacon, company id included. */
export const IBEACON_LENGTH = 25;

const FORMAT = 'ibeacon';

/** The 16 bytes at `at` as a UUID in its usual 8-4-4-4-12 spelling. */
function uuidText(b: Uint8Array, at: number): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + HEX_PAIRS[b[at + i]!]!;
  return out;
}

/**
 * Decodes an iBeacon from manufacturer data (Apple's company id 0x004C first, as recorded;
 * then type 0x02, length 0x15, the 16-byte proximity UUID, major and minor big-endian, and
 * the measured power at 1 m as a signed byte), per Apple's Proximity Beacon Specification.
 * The UUID, major and minor go to `identity`; `measured_power` (dBm) is the one measurement.
 * Other Apple frames (AirDrop, Find My, ...) are `unsupported`. Never throws.
 */
export function decodeIbeacon(manufacturerData: Uint8Array): DecodeResult {
  if (manufacturerData.length < 4) return problemResult(FORMAT, 'truncated', `manufacturer data of ${manufacturerData.length} bytes is too short for an iBeacon (${IBEACON_LENGTH})`);
  const company = manufacturerData[0]! | (manufacturerData[1]! << 8);
  if (company !== APPLE_COMPANY_ID) return problemResult(FORMAT, 'malformed', `company id 0x${company.toString(16).padStart(4, '0')} is not Apple's (0x004c)`);
  const type = manufacturerData[2]!;
  if (type !== 0x02) return problemResult(FORMAT, 'unsupported', `Apple frame type 0x${type.toString(16).padStart(2, '0')} is not an iBeacon (0x02)`);
  if (manufacturerData[3] !== 0x15) return problemResult(FORMAT, 'malformed', `iBeacon length byte is 0x${manufacturerData[3]!.toString(16)}, not 0x15`);
  if (manufacturerData.length < IBEACON_LENGTH) return problemResult(FORMAT, 'truncated', `an iBeacon has ${IBEACON_LENGTH} bytes of manufacturer data, this one ${manufacturerData.length}`);
  return {
    measurements: [{ measurement: 'measured_power', value: (manufacturerData[24]! << 24) >> 24, unit: 'dBm' }],
    problems: [],
    identity: { uuid: uuidText(manufacturerData, 4), major: u16be(manufacturerData, 20), minor: u16be(manufacturerData, 22) },
  };
}
