/** A value a decoder read: numbers for sensors, booleans for binary sensors, strings for events and text. */
export type MeasurementValue = number | boolean | string;

/**
 * One reading out of an advert or a characteristic: `{ measurement: 'temperature', value: 21.5,
 * unit: '°C' }`. Units are SI-style symbols as the format's specification names them; a value
 * the device marks as "not available" gives no measurement at all.
 */
export interface Measurement {
  /** Name in snake_case (`temperature`, `humidity`, `battery`, `rssi`); repeats get `_1`, `_2`, ... where the format says so. */
  measurement: string;
  value: MeasurementValue;
  /** Unit symbol (`°C`, `%`, `hPa`, `V`, `dBm`, `s`); absent for counts, booleans and text. */
  unit?: string;
  /** BTHome: the object id the value came from. */
  objectId?: number;
  /** Position among values of one name in one message that carry no postfix (heart-rate RR intervals). */
  index?: number;
  /** BTHome dimmer events: the number of steps turned. */
  steps?: number;
  /**
   * Something that happened (a button press, a heartbeat's RR interval), not a state: the same
   * value again is a new event, so `on_change` never holds it back.
   */
  event?: true;
}

/** Kinds of decode problem: the `reason` a source counts them under. */
export type DecodeProblemKind =
  /** The data ends before a field the format requires. */
  | 'truncated'
  /** The data has the wrong shape for its format (wrong length, bad header, impossible value). */
  | 'malformed'
  /** A valid frame of a kind this decoder does not read (Ruuvi format 3, encrypted Eddystone TLM, BTHome v1). */
  | 'unsupported'
  /** BTHome: an object id this decoder does not know; the objects after it cannot be located. */
  | 'unknown_object'
  /** BTHome: the advert is encrypted and no bind key was given for the device. */
  | 'no_bind_key'
  /** BTHome, ATC1441 and pvvx: the advert did not decrypt with the device's bind key (wrong key, or corrupted). */
  | 'decrypt_failed'
  /** BTHome, ATC1441 and pvvx: the encryption counter went backwards (a replayed or stale advert). */
  | 'replayed_counter'
  /** BTHome, ATC1441 and pvvx: a bind key is set but the advert is not encrypted (possible spoofing), so it is ignored. */
  | 'not_encrypted'
  /** ATC1441 and pvvx: the firmware encrypts its adverts (its "Encrypted beacon" option) and the device has no bind key. */
  | 'encrypted'
  /** Custom decoding: a field lies past the end of the data. */
  | 'out_of_range';

/** Every decode problem kind. */
export const DECODE_PROBLEM_KINDS: readonly DecodeProblemKind[] = [
  'truncated',
  'malformed',
  'unsupported',
  'unknown_object',
  'no_bind_key',
  'decrypt_failed',
  'replayed_counter',
  'not_encrypted',
  'encrypted',
  'out_of_range',
];

/** One thing that went wrong while decoding: never thrown, always returned. */
export interface DecodeProblem {
  kind: DecodeProblemKind;
  /** What happened and, where it helps, what to do. */
  message: string;
  /** The format or characteristic being decoded (`bthome`, `ruuvi`, `2a37`, ...). */
  format: string;
  /** The device it came from, when the caller knows it (`decodeAdvert` fills it in). */
  address?: string;
}

/** What a decoder gives: the measurements it could read and the problems it met. */
export interface DecodeResult {
  measurements: Measurement[];
  problems: DecodeProblem[];
  /**
   * True when the message repeats one already decoded (a BTHome packet id or encryption
   * counter seen last time): the caller should drop it; `measurements` is empty.
   */
  duplicate?: boolean;
  /** Identifiers carried in the payload (a MAC, an iBeacon UUID/major/minor, an Eddystone namespace or URL). */
  identity?: Record<string, string | number>;
}

/** A result with no measurements and one problem. */
export function problemResult(format: string, kind: DecodeProblemKind, message: string): DecodeResult {
  return { measurements: [], problems: [{ kind, message, format }] };
}
