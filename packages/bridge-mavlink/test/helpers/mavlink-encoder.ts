// A small MAVLink encoder owned by the tests, written from the wire format and independent of
// both node-mavlink and the package's own code (its CRC is the bitwise form of the specification,
// the package's is table-driven; its layouts come from the XML declarations below, the package's
// from node-mavlink's generated tables).
import { createHash } from 'node:crypto';

export type WireType = 'uint8_t' | 'int8_t' | 'char' | 'uint16_t' | 'int16_t' | 'uint32_t' | 'int32_t' | 'float' | 'uint64_t' | 'int64_t' | 'double';

/** A field as the XML declares it: name, type (`uint8_t_mavlink_version` written as `uint8_t`), array length. */
export interface FieldDecl {
  name: string;
  type: WireType;
  array?: number;
  extension?: boolean;
}

export interface MessageDecl {
  id: number;
  fields: FieldDecl[];
}

const f = (name: string, type: WireType, extra: { array?: number; extension?: boolean } = {}): FieldDecl => ({ name, type, ...extra });
const ext = { extension: true };

/** Messages in XML declaration order (minimal.xml and common.xml). */
export const MESSAGES: Record<string, MessageDecl> = {
  HEARTBEAT: {
    id: 0,
    fields: [f('type', 'uint8_t'), f('autopilot', 'uint8_t'), f('base_mode', 'uint8_t'), f('custom_mode', 'uint32_t'), f('system_status', 'uint8_t'), f('mavlink_version', 'uint8_t')],
  },
  SYS_STATUS: {
    id: 1,
    fields: [
      f('onboard_control_sensors_present', 'uint32_t'), f('onboard_control_sensors_enabled', 'uint32_t'), f('onboard_control_sensors_health', 'uint32_t'),
      f('load', 'uint16_t'), f('voltage_battery', 'uint16_t'), f('current_battery', 'int16_t'), f('battery_remaining', 'int8_t'),
      f('drop_rate_comm', 'uint16_t'), f('errors_comm', 'uint16_t'), f('errors_count1', 'uint16_t'), f('errors_count2', 'uint16_t'),
      f('errors_count3', 'uint16_t'), f('errors_count4', 'uint16_t'),
      f('onboard_control_sensors_present_extended', 'uint32_t', ext), f('onboard_control_sensors_enabled_extended', 'uint32_t', ext),
      f('onboard_control_sensors_health_extended', 'uint32_t', ext),
    ],
  },
  SYSTEM_TIME: { id: 2, fields: [f('time_unix_usec', 'uint64_t'), f('time_boot_ms', 'uint32_t')] },
  GPS_RAW_INT: {
    id: 24,
    fields: [
      f('time_usec', 'uint64_t'), f('fix_type', 'uint8_t'), f('lat', 'int32_t'), f('lon', 'int32_t'), f('alt', 'int32_t'), f('eph', 'uint16_t'),
      f('epv', 'uint16_t'), f('vel', 'uint16_t'), f('cog', 'uint16_t'), f('satellites_visible', 'uint8_t'),
      f('alt_ellipsoid', 'int32_t', ext), f('h_acc', 'uint32_t', ext), f('v_acc', 'uint32_t', ext), f('vel_acc', 'uint32_t', ext),
      f('hdg_acc', 'uint32_t', ext), f('yaw', 'uint16_t', ext),
    ],
  },
  GPS2_RAW: {
    id: 124,
    fields: [
      f('time_usec', 'uint64_t'), f('fix_type', 'uint8_t'), f('lat', 'int32_t'), f('lon', 'int32_t'), f('alt', 'int32_t'), f('eph', 'uint16_t'),
      f('epv', 'uint16_t'), f('vel', 'uint16_t'), f('cog', 'uint16_t'), f('satellites_visible', 'uint8_t'), f('dgps_numch', 'uint8_t'),
      f('dgps_age', 'uint32_t'), f('yaw', 'uint16_t', ext), f('alt_ellipsoid', 'int32_t', ext), f('h_acc', 'uint32_t', ext),
      f('v_acc', 'uint32_t', ext), f('vel_acc', 'uint32_t', ext), f('hdg_acc', 'uint32_t', ext),
    ],
  },
  RC_CHANNELS: {
    id: 65,
    fields: [
      f('time_boot_ms', 'uint32_t'), f('chancount', 'uint8_t'),
      ...Array.from({ length: 18 }, (_, i) => f(`chan${i + 1}_raw`, 'uint16_t')),
      f('rssi', 'uint8_t'),
    ],
  },
  RADIO_STATUS: {
    id: 109,
    fields: [f('rssi', 'uint8_t'), f('remrssi', 'uint8_t'), f('txbuf', 'uint8_t'), f('noise', 'uint8_t'), f('remnoise', 'uint8_t'), f('rxerrors', 'uint16_t'), f('fixed', 'uint16_t')],
  },
  ATTITUDE: {
    id: 30,
    fields: [f('time_boot_ms', 'uint32_t'), f('roll', 'float'), f('pitch', 'float'), f('yaw', 'float'), f('rollspeed', 'float'), f('pitchspeed', 'float'), f('yawspeed', 'float')],
  },
  GLOBAL_POSITION_INT: {
    id: 33,
    fields: [
      f('time_boot_ms', 'uint32_t'), f('lat', 'int32_t'), f('lon', 'int32_t'), f('alt', 'int32_t'), f('relative_alt', 'int32_t'),
      f('vx', 'int16_t'), f('vy', 'int16_t'), f('vz', 'int16_t'), f('hdg', 'uint16_t'),
    ],
  },
  VFR_HUD: {
    id: 74,
    fields: [f('airspeed', 'float'), f('groundspeed', 'float'), f('heading', 'int16_t'), f('throttle', 'uint16_t'), f('alt', 'float'), f('climb', 'float')],
  },
  BATTERY_STATUS: {
    id: 147,
    fields: [
      f('id', 'uint8_t'), f('battery_function', 'uint8_t'), f('type', 'uint8_t'), f('temperature', 'int16_t'), f('voltages', 'uint16_t', { array: 10 }),
      f('current_battery', 'int16_t'), f('current_consumed', 'int32_t'), f('energy_consumed', 'int32_t'), f('battery_remaining', 'int8_t'),
      f('time_remaining', 'int32_t', ext), f('charge_state', 'uint8_t', ext), f('voltages_ext', 'uint16_t', { array: 4, extension: true }),
      f('mode', 'uint8_t', ext), f('fault_bitmask', 'uint32_t', ext),
    ],
  },
  STATUSTEXT: { id: 253, fields: [f('severity', 'uint8_t'), f('text', 'char', { array: 50 }), f('id', 'uint16_t', ext), f('chunk_seq', 'uint8_t', ext)] },
};

const SIZES: Record<WireType, number> = { uint8_t: 1, int8_t: 1, char: 1, uint16_t: 2, int16_t: 2, uint32_t: 4, int32_t: 4, float: 4, uint64_t: 8, int64_t: 8, double: 8 };

/** CRC-16/MCRF4XX, one byte at a time, as the MAVLink specification writes crc_accumulate. */
export function crcAccumulate(byte: number, crc: number): number {
  let tmp = (byte ^ (crc & 0xff)) & 0xff;
  tmp = (tmp ^ (tmp << 4)) & 0xff;
  return ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xffff;
}

export function crc16(bytes: Iterable<number>, crc = 0xffff): number {
  let c = crc;
  for (const b of bytes) c = crcAccumulate(b, c);
  return c;
}

/** Fields in wire order: base fields by element size, largest first (stable), then extensions as declared. */
export function wireOrder(decl: MessageDecl): FieldDecl[] {
  const base = decl.fields.filter((x) => !x.extension);
  const sorted = base.map((x, i) => ({ x, i })).sort((a, b) => SIZES[b.x.type] - SIZES[a.x.type] || a.i - b.i).map((e) => e.x);
  return [...sorted, ...decl.fields.filter((x) => x.extension)];
}

/** CRC_EXTRA from the definition: CRC over "NAME ", then "type name " of each base field in wire order (plus the array length byte). */
export function crcExtra(name: string): number {
  const decl = MESSAGES[name]!;
  const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
  let crc = crc16(ascii(`${name} `));
  for (const field of wireOrder(decl).filter((x) => !x.extension)) {
    crc = crc16(ascii(`${field.type} `), crc);
    crc = crc16(ascii(`${field.name} `), crc);
    if (field.array) crc = crcAccumulate(field.array, crc);
  }
  return (crc & 0xff) ^ (crc >> 8);
}

export type Values = Record<string, number | bigint | string | number[]>;

function writeScalar(view: DataView, type: WireType, at: number, value: number | bigint): void {
  switch (type) {
    case 'uint8_t':
    case 'char':
      return view.setUint8(at, Number(value));
    case 'int8_t':
      return view.setInt8(at, Number(value));
    case 'uint16_t':
      return view.setUint16(at, Number(value), true);
    case 'int16_t':
      return view.setInt16(at, Number(value), true);
    case 'uint32_t':
      return view.setUint32(at, Number(value), true);
    case 'int32_t':
      return view.setInt32(at, Number(value), true);
    case 'float':
      return view.setFloat32(at, Number(value), true);
    case 'double':
      return view.setFloat64(at, Number(value), true);
    case 'uint64_t':
      return view.setBigUint64(at, BigInt(value), true);
    case 'int64_t':
      return view.setBigInt64(at, BigInt(value), true);
  }
}

/** The untrimmed payload of a message: fields in wire order, missing values as zeros. */
export function payloadOf(name: string, values: Values, withExtensions = true): Uint8Array {
  const fields = wireOrder(MESSAGES[name]!).filter((x) => withExtensions || !x.extension);
  const length = fields.reduce((n, x) => n + SIZES[x.type] * (x.array ?? 1), 0);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const field of fields) {
    const value = values[field.name];
    const size = SIZES[field.type];
    if (field.array) {
      const items = typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : ((value as number[] | undefined) ?? []);
      items.slice(0, field.array).forEach((v, i) => writeScalar(view, field.type, at + i * size, v));
      at += size * field.array;
    } else {
      if (value !== undefined) writeScalar(view, field.type, at, value as number | bigint);
      at += size;
    }
  }
  return out;
}

export interface FrameOptions {
  sysid?: number;
  compid?: number;
  seq?: number;
  /** MAVLink 2: keep trailing zero bytes instead of trimming them. */
  untrimmed?: boolean;
  /** MAVLink 1: send extension fields too (as node-mavlink does). */
  withExtensions?: boolean;
  /** MAVLink 2: sign with this key, link id and timestamp (10 us units since 2015-01-01). */
  sign?: { key: Uint8Array; linkId: number; timestamp: number };
}

/** A MAVLink 2 frame of `name` with `values`. */
export function encodeV2(name: string, values: Values, options: FrameOptions = {}): Buffer {
  const decl = MESSAGES[name]!;
  let payload = payloadOf(name, values);
  if (!options.untrimmed) {
    let end = payload.length;
    // The specification trims trailing zeros but keeps at least one byte.
    while (end > 1 && payload[end - 1] === 0) end--;
    payload = payload.subarray(0, end);
  }
  return rawV2(decl.id, payload, crcExtra(name), options);
}

/** A MAVLink 2 frame with any id, payload and CRC_EXTRA (for unknown ids and damaged frames). */
export function rawV2(msgid: number, payload: Uint8Array, extra: number, options: FrameOptions = {}): Buffer {
  const signed = options.sign !== undefined;
  const header = [0xfd, payload.length, signed ? 1 : 0, 0, options.seq ?? 0, options.sysid ?? 1, options.compid ?? 1, msgid & 0xff, (msgid >> 8) & 0xff, (msgid >> 16) & 0xff];
  const crc = crcAccumulate(extra, crc16([...header.slice(1), ...payload]));
  const frame = [...header, ...payload, crc & 0xff, crc >> 8];
  if (options.sign) {
    const { key, linkId, timestamp } = options.sign;
    const ts = [0, 1, 2, 3, 4, 5].map((i) => Math.floor(timestamp / 2 ** (8 * i)) & 0xff);
    const signedPart = [...frame, linkId, ...ts];
    const hash = createHash('sha256').update(key).update(Uint8Array.from(signedPart)).digest();
    return Buffer.from([...signedPart, ...hash.subarray(0, 6)]);
  }
  return Buffer.from(frame);
}

/** A MAVLink 1 frame of `name` with `values` (base fields only unless `withExtensions`). */
export function encodeV1(name: string, values: Values, options: FrameOptions = {}): Buffer {
  const decl = MESSAGES[name]!;
  const payload = payloadOf(name, values, options.withExtensions ?? false);
  return rawV1(decl.id, payload, crcExtra(name), options);
}

export function rawV1(msgid: number, payload: Uint8Array, extra: number, options: FrameOptions = {}): Buffer {
  const header = [0xfe, payload.length, options.seq ?? 0, options.sysid ?? 1, options.compid ?? 1, msgid];
  const crc = crcAccumulate(extra, crc16([...header.slice(1), ...payload]));
  return Buffer.from([...header, ...payload, crc & 0xff, crc >> 8]);
}

/** Signature timestamp (10 us units since 2015-01-01) of a Unix time in ms. */
export function signatureTimestamp(unixMs: number): number {
  return (unixMs - Date.UTC(2015, 0, 1)) * 100;
}
