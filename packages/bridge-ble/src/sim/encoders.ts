import { BTHOME_OBJECTS } from '../decode/bthome-objects.js';
import { APPLE_COMPANY_ID } from '../decode/ibeacon.js';
import { RUUVI_COMPANY_ID } from '../decode/ruuvi.js';

// Encoders for the simulator: each writes a format the way a device does, so the decoders can
// be fed realistic adverts. The decoders are checked against the specifications' own examples
// (test/fixtures); these encoders are checked against the decoders (round trips).

const clampInt = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, Math.round(value)));

/** Scales `value` down by `factor` with the rounding a device applies (no 21.5/0.01 = 2149.9999 surprises). */
const unscale = (value: number, factor: number): number => Math.round(Number((value / factor).toPrecision(12)));

/**
 * BTHome v2 service data (after the UUID) for unencrypted sensor and binary objects: the device
 * info byte (0x40, or 0x44 when `triggerBased`), then the packet id if given, then each object
 * as `[objectId, value]` in the order given. Throws on an object id that is not a number or
 * binary sensor (a simulator mistake, not input).
 */
export function encodeBthome(objects: [objectId: number, value: number | boolean][], options: { packetId?: number; triggerBased?: boolean } = {}): Uint8Array {
  const out: number[] = [options.triggerBased ? 0x44 : 0x40];
  if (options.packetId !== undefined) out.push(0x00, options.packetId & 0xff);
  for (const [id, value] of objects) {
    const def = BTHOME_OBJECTS[id];
    if (def?.kind === 'binary') {
      out.push(id, value ? 1 : 0);
      continue;
    }
    if (def?.kind !== 'number') throw new TypeError(`encodeBthome: object 0x${id.toString(16)} is not a number or binary sensor`);
    const bits = def.size * 8;
    const raw = clampInt(unscale(Number(value), def.factor), def.signed ? -(2 ** (bits - 1)) : 0, def.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1);
    const unsigned = raw < 0 ? raw + 2 ** bits : raw;
    out.push(id);
    for (let i = 0; i < def.size; i++) out.push(Math.floor(unsigned / 2 ** (8 * i)) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Values of a Ruuvi RAWv2 frame; a missing one is sent as "not available". */
export interface RuuviValues {
  temperature?: number;
  humidity?: number;
  /** Pa. */
  pressure?: number;
  /** g, x/y/z. */
  acceleration?: [number, number, number];
  /** V. */
  batteryVoltage?: number;
  /** dBm, -40 to +20 in steps of 2. */
  txPower?: number;
  movementCounter?: number;
  sequence?: number;
  /** `aa:bb:cc:dd:ee:ff`. */
  mac?: string;
}

/** Ruuvi data format 5 manufacturer data, company id first. */
export function encodeRuuvi(v: RuuviValues): Uint8Array {
  const b = Buffer.alloc(26);
  b.writeUInt16LE(RUUVI_COMPANY_ID, 0);
  b[2] = 5;
  b.writeInt16BE(v.temperature === undefined ? -0x8000 : clampInt(unscale(v.temperature, 0.005), -32767, 32767), 3);
  b.writeUInt16BE(v.humidity === undefined ? 0xffff : clampInt(unscale(v.humidity, 0.0025), 0, 65534), 5);
  b.writeUInt16BE(v.pressure === undefined ? 0xffff : clampInt(v.pressure - 50_000, 0, 65534), 7);
  for (let axis = 0; axis < 3; axis++) {
    const g = v.acceleration?.[axis];
    b.writeInt16BE(g === undefined ? -0x8000 : clampInt(g * 1000, -32767, 32767), 9 + axis * 2);
  }
  const voltage = v.batteryVoltage === undefined ? 0x7ff : clampInt(unscale(v.batteryVoltage, 0.001) - 1600, 0, 2046);
  const tx = v.txPower === undefined ? 0x1f : clampInt((v.txPower + 40) / 2, 0, 30);
  b.writeUInt16BE((voltage << 5) | tx, 15);
  b[17] = v.movementCounter === undefined ? 0xff : clampInt(v.movementCounter, 0, 254);
  b.writeUInt16BE(v.sequence === undefined ? 0xffff : clampInt(v.sequence, 0, 65534), 18);
  if (v.mac) b.write(v.mac.replace(/:/g, ''), 20, 6, 'hex');
  else b.fill(0xff, 20);
  return b;
}

/** Values of the ATC1441 and pvvx thermometer formats. */
export interface XiaomiValues {
  mac: string;
  temperature: number;
  humidity: number;
  /** %. */
  battery: number;
  /** V. */
  batteryVoltage: number;
  counter: number;
  /** pvvx only. */
  flags?: number;
}

/** ATC1441 service data (UUID 0x181A): 13 bytes, big-endian. */
export function encodeAtc1441(v: XiaomiValues): Uint8Array {
  const b = Buffer.alloc(13);
  b.write(v.mac.replace(/:/g, ''), 0, 6, 'hex');
  b.writeInt16BE(clampInt(unscale(v.temperature, 0.1), -32768, 32767), 6);
  b[8] = clampInt(v.humidity, 0, 255);
  b[9] = clampInt(v.battery, 0, 255);
  b.writeUInt16BE(clampInt(unscale(v.batteryVoltage, 0.001), 0, 65535), 10);
  b[12] = v.counter & 0xff;
  return b;
}

/** pvvx custom service data (UUID 0x181A): 15 bytes, little-endian, MAC reversed. */
export function encodePvvx(v: XiaomiValues): Uint8Array {
  const b = Buffer.alloc(15);
  Buffer.from(v.mac.replace(/:/g, ''), 'hex').reverse().copy(b, 0);
  b.writeInt16LE(clampInt(unscale(v.temperature, 0.01), -32768, 32767), 6);
  b.writeUInt16LE(clampInt(unscale(v.humidity, 0.01), 0, 65535), 8);
  b.writeUInt16LE(clampInt(unscale(v.batteryVoltage, 0.001), 0, 65535), 10);
  b[12] = clampInt(v.battery, 0, 255);
  b[13] = v.counter & 0xff;
  b[14] = (v.flags ?? 0) & 0xff;
  return b;
}

/** iBeacon manufacturer data, company id first. */
export function encodeIbeacon(v: { uuid: string; major: number; minor: number; measuredPower: number }): Uint8Array {
  const b = Buffer.alloc(25);
  b.writeUInt16LE(APPLE_COMPANY_ID, 0);
  b[2] = 0x02;
  b[3] = 0x15;
  b.write(v.uuid.replace(/-/g, ''), 4, 16, 'hex');
  b.writeUInt16BE(v.major, 20);
  b.writeUInt16BE(v.minor, 22);
  b.writeInt8(v.measuredPower, 24);
  return b;
}

/** A Heart Rate Measurement (0x2A37) value: uint8 heart rate (uint16 above 255), contact, energy, RR intervals (s). */
export function encodeHeartRate(v: { bpm: number; contact?: boolean; energyKj?: number; rrIntervals?: number[] }): Uint8Array {
  const wide = v.bpm > 255;
  const out: number[] = [0];
  let flags = wide ? 0x01 : 0;
  if (v.contact !== undefined) flags |= v.contact ? 0x06 : 0x04;
  out.push(...(wide ? [v.bpm & 0xff, v.bpm >> 8] : [v.bpm]));
  if (v.energyKj !== undefined) {
    flags |= 0x08;
    out.push(v.energyKj & 0xff, (v.energyKj >> 8) & 0xff);
  }
  if (v.rrIntervals?.length) {
    flags |= 0x10;
    for (const rr of v.rrIntervals) {
      const raw = clampInt(rr * 1024, 0, 65535);
      out.push(raw & 0xff, raw >> 8);
    }
  }
  out[0] = flags;
  return Uint8Array.from(out);
}
