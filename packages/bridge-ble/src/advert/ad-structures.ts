import { problemResult, type DecodeProblem } from '../measurement.js';
import { ADVERT_LIMITS, type Advert, type ServiceData } from './advert.js';

/** The parts of an {@link Advert} that advertising data carries. */
export type AdFields = Pick<Advert, 'name' | 'txPower' | 'manufacturerData' | 'serviceData' | 'serviceUuids'> & {
  /** The Flags AD (LE discoverable modes, BR/EDR support). */
  flags?: number;
};

/** The fields found and the problems met by {@link parseAdStructures}. */
export interface AdParse {
  fields: AdFields;
  problems: DecodeProblem[];
}

/** UUID bytes are little-endian on air; UUIDs are written most significant digit first. */
function uuidOf(bytes: Uint8Array, start: number, width: number): string {
  let hex = '';
  for (let i = start + width - 1; i >= start; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex;
}

function addUuids(fields: AdFields, bytes: Uint8Array, start: number, end: number, width: number): void {
  const list = (fields.serviceUuids ??= []);
  for (let i = start; i + width <= end && list.length < ADVERT_LIMITS.serviceUuids; i += width) {
    const uuid = uuidOf(bytes, i, width);
    if (!list.includes(uuid)) list.push(uuid);
  }
}

const NAME = new TextDecoder('utf-8');

/**
 * Splits raw advertising data (the AD structures of an advert or scan response, as the
 * Bluetooth Core Specification, Vol 3 Part C §11 lays them out: length, type, data) into
 * advert fields: flags, service UUIDs (16/32/128-bit lists), local name, TX power, service
 * data (16/32/128-bit) and manufacturer data. A length of zero ends the data (padding). A
 * structure running past the end gives a `truncated` problem and ends the parse, keeping what
 * was read before it. Never throws.
 */
export function parseAdStructures(bytes: Uint8Array): AdParse {
  const fields: AdFields = {};
  const problems: DecodeProblem[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = bytes[i]!;
    if (length === 0) break;
    const end = i + 1 + length;
    if (end > bytes.length) {
      problems.push(...problemResult('ad', 'truncated', `an AD structure at byte ${i} claims ${length} bytes but only ${bytes.length - i - 1} follow`).problems);
      break;
    }
    const type = bytes[i + 1]!;
    const start = i + 2;
    switch (type) {
      case 0x01:
        if (end > start) fields.flags = bytes[start]!;
        break;
      case 0x02:
      case 0x03:
        addUuids(fields, bytes, start, end, 2);
        break;
      case 0x04:
      case 0x05:
        addUuids(fields, bytes, start, end, 4);
        break;
      case 0x06:
      case 0x07:
        addUuids(fields, bytes, start, end, 16);
        break;
      case 0x08:
      case 0x09:
        fields.name = NAME.decode(bytes.subarray(start, end)).slice(0, ADVERT_LIMITS.nameChars);
        break;
      case 0x0a:
        if (end > start) fields.txPower = (bytes[start]! << 24) >> 24;
        break;
      case 0x16:
      case 0x20:
      case 0x21: {
        const width = type === 0x16 ? 2 : type === 0x20 ? 4 : 16;
        if (end - start < width) {
          problems.push({ kind: 'malformed', message: `service data at byte ${i} is shorter than its ${width * 8}-bit UUID`, format: 'ad' });
          break;
        }
        const list = (fields.serviceData ??= []);
        const entry: ServiceData = { uuid: uuidOf(bytes, start, width), data: bytes.slice(start + width, end) };
        if (list.length < ADVERT_LIMITS.serviceData) list.push(entry);
        break;
      }
      case 0xff:
        if (end - start < 2) problems.push({ kind: 'malformed', message: `manufacturer data at byte ${i} has no company id`, format: 'ad' });
        else fields.manufacturerData = bytes.slice(start, end);
        break;
      default:
        // Other AD types (appearance, intervals, URIs...) carry nothing the bridge decodes.
        break;
    }
    i = end;
  }
  return { fields, problems };
}
