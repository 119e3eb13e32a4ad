import { applyLinear } from '../_scale.js';
import type { DecodeProblem, DecodeResult, Measurement, MeasurementValue } from '../measurement.js';
import { readIntLE } from './_read.js';
import { decryptBthome } from './bthome-crypto.js';
import type { CounterRestart } from './bthome-counter.js';
import { guardCounter } from './counter-guard.js';
import { BTHOME_OBJECTS, BUTTON_EVENTS, DIMMER_EVENTS } from './bthome-objects.js';
import type { BthomeState } from './bthome-state.js';

/** What {@link decodeBthome} needs beyond the payload. */
export interface BthomeOptions {
  /** The advertiser's MAC (`aa:bb:cc:dd:ee:ff`): part of the decryption nonce and the key of `state`. */
  address: string;
  /** The device's 16-byte bind key; when set, unencrypted adverts are refused. */
  bindKey?: Uint8Array;
  /** Memory across adverts for dropping repeats and refusing replays; without it every advert is decoded. */
  state?: BthomeState;
  /** Receipt time of the advert, ms: times a counter restart (with `counterRestartAfterMs`). Default 0. */
  t?: number;
  /**
   * With `state`: lower counters rising among themselves this long (ms, of receipt time), with
   * no higher one accepted in between, are taken as the sensor's counter restart (a battery
   * change) and become its baseline. Default 0: a lower counter is always refused.
   */
  counterRestartAfterMs?: number;
}

/** The device info byte and the counters of one advert. */
export interface BthomeInfo {
  encrypted: boolean;
  /** The device sends on events (a button) rather than at a regular interval. */
  triggerBased: boolean;
  version: number;
  /** Object 0x00, when present. */
  packetId?: number;
  /** The encryption counter, for encrypted adverts. */
  counter?: number;
  /** This advert's counter was accepted as a counter restart: the device's new baseline. */
  restart?: CounterRestart;
}

/** {@link DecodeResult} with BTHome's device info. */
export interface BthomeResult extends DecodeResult {
  info?: BthomeInfo;
}

const FORMAT = 'bthome';
/** The objects' offset in the service data: they follow the device info byte. */
const OBJECTS_OFFSET = 1;
const UTF8 = new TextDecoder('utf-8');

interface Entry {
  name: string;
  value: MeasurementValue | undefined;
  unit?: string;
  objectId: number;
  steps?: number;
  event?: true;
}

function fail(problems: DecodeProblem[], kind: DecodeProblem['kind'], message: string, info?: BthomeInfo): BthomeResult {
  problems.push({ kind, message, format: FORMAT });
  return info ? { measurements: [], problems, info } : { measurements: [], problems };
}

/**
 * Where an object is, for messages: its offset in the service data as a record file and `--scan`
 * show it (what follows the UUID fcd2: the device info byte is byte 0, the first object byte 1).
 * Encrypted objects sit at the same offsets as their ciphertext.
 */
function at(index: number, info: BthomeInfo): string {
  return `at byte ${OBJECTS_OFFSET + index} of the${info.encrypted ? ' decrypted' : ''} service data`;
}

/** Reads the objects of a (decrypted) payload into entries, stopping at the first one it cannot place. */
function readObjects(objects: Uint8Array, entries: Entry[], problems: DecodeProblem[], info: BthomeInfo): void {
  let i = 0;
  while (i < objects.length) {
    const id = objects[i]!;
    const def = BTHOME_OBJECTS[id];
    const hexId = `0x${id.toString(16).padStart(2, '0')}`;
    if (!def) {
      problems.push({ kind: 'unknown_object', message: `object id ${hexId} ${at(i, info)} is not in the BTHome v2 specification this bridge knows; the objects after it were skipped`, format: FORMAT });
      return;
    }
    let start = i + 1;
    let size = def.size;
    if (size === 0) {
      if (start >= objects.length) {
        problems.push({ kind: 'truncated', message: `object ${hexId} (${def.name}) ${at(i, info)} has no length byte: the data ends after it`, format: FORMAT });
        return;
      }
      size = objects[start]!;
      start += 1;
    }
    if (start + size > objects.length) {
      const left = objects.length - start;
      const lastByte = OBJECTS_OFFSET + objects.length - 1;
      problems.push({ kind: 'truncated', message: `object ${hexId} (${def.name}) ${at(i, info)} needs ${size} ${size === 1 ? 'byte' : 'bytes'} after its ${start - i === 1 ? 'id' : 'id and length'}, up to byte ${OBJECTS_OFFSET + start + size - 1}, but the data ends at byte ${lastByte} (${left} left)`, format: FORMAT });
      return;
    }
    const entry: Entry = { name: def.name, value: undefined, objectId: id, ...(def.unit ? { unit: def.unit } : {}) };
    switch (def.kind) {
      case 'packet_id':
        info.packetId ??= objects[start]!;
        break;
      case 'number':
        entry.value = applyLinear(readIntLE(objects, start, size, def.signed), def.map);
        break;
      case 'binary':
        entry.value = objects[start] !== 0;
        break;
      case 'button': {
        const event = objects[start]!;
        entry.event = true;
        entry.value = BUTTON_EVENTS[event];
        if (event !== 0 && entry.value === undefined) problems.push({ kind: 'unsupported', message: `button event 0x${event.toString(16)} is not in the specification`, format: FORMAT });
        break;
      }
      case 'dimmer': {
        const event = objects[start]!;
        entry.event = true;
        entry.value = DIMMER_EVENTS[event];
        if (entry.value !== undefined) entry.steps = objects[start + 1]!;
        else if (event !== 0) problems.push({ kind: 'unsupported', message: `dimmer event 0x${event.toString(16)} is not in the specification`, format: FORMAT });
        break;
      }
      case 'timestamp':
      case 'device_type_id':
        entry.value = readIntLE(objects, start, size, false);
        break;
      case 'firmware_version': {
        const parts: number[] = [];
        for (let k = start + size - 1; k >= start; k--) parts.push(objects[k]!);
        entry.value = parts.join('.');
        break;
      }
      case 'text':
        entry.value = UTF8.decode(objects.subarray(start, start + size));
        break;
      case 'raw':
        entry.value = Buffer.from(objects.subarray(start, start + size)).toString('hex');
        break;
    }
    if (def.kind !== 'packet_id') entries.push(entry);
    i = start + size;
  }
}

/** Names repeated properties `name_1`, `name_2`, ... in payload order, as the specification asks; a single one keeps its name. */
function nameEntries(entries: Entry[]): Measurement[] {
  // Adverts hold a handful of objects, so counting by scanning beats building maps.
  const count = (name: string, upTo: number): number => {
    let n = 0;
    for (let k = 0; k < upTo; k++) if (entries[k]!.name === name) n += 1;
    return n;
  };
  const out: Measurement[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.value === undefined) continue;
    const total = count(e.name, entries.length);
    const m: Measurement = { measurement: total > 1 ? `${e.name}_${count(e.name, i + 1)}` : e.name, value: e.value, objectId: e.objectId };
    if (e.unit !== undefined) m.unit = e.unit;
    if (e.steps !== undefined) m.steps = e.steps;
    if (e.event) m.event = true;
    out.push(m);
  }
  return out;
}

/**
 * Decodes BTHome v2 service data (UUID 0xFCD2; `payload` is what follows the UUID: the device
 * info byte, then the objects) as https://bthome.io/format/ specifies: every object id with its
 * size, sign, factor and unit; repeated properties named `temperature_1`, `temperature_2`;
 * binary sensors as booleans; button and dimmer events as strings (marked `event`); text, raw, timestamp,
 * device type and firmware version. Encrypted adverts are decrypted with `bindKey`. With
 * `state`, an advert repeating the last packet id or counter is marked `duplicate`, and a
 * counter lower than the last accepted one is refused as `replayed_counter`, unless lower
 * counters have risen for `counterRestartAfterMs` (a counter restart, `info.restart`). Decoding stops
 * at an unknown object id (its size is unknown), keeping the objects before it. Never throws.
 */
export function decodeBthome(payload: Uint8Array, options: BthomeOptions): BthomeResult {
  const problems: DecodeProblem[] = [];
  if (payload.length === 0) return fail(problems, 'truncated', 'the BTHome service data is empty (no device info byte)');
  const deviceInfo = payload[0]!;
  const info: BthomeInfo = { encrypted: (deviceInfo & 1) === 1, triggerBased: (deviceInfo & 4) === 4, version: deviceInfo >> 5 };
  if (info.version !== 2) return fail(problems, 'unsupported', `device info byte 0x${deviceInfo.toString(16)} says BTHome version ${info.version}; only version 2 (UUID fcd2) is decoded`, info);
  let objects = payload.subarray(1);
  const memory = options.state?.device(options.address);
  if (info.encrypted) {
    if (!options.bindKey) return fail(problems, 'no_bind_key', 'the advert is encrypted: set bind_key for this device (32 hex digits, from the device or its app)', info);
    const decrypted = decryptBthome(options.bindKey, options.address, deviceInfo, objects);
    if (!decrypted.ok) return fail(problems, 'decrypt_failed', decrypted.message, info);
    info.counter = decrypted.counter;
    if (memory) {
      const verdict = guardCounter(memory, decrypted.counter, options.t ?? 0, options.counterRestartAfterMs ?? 0);
      if (verdict.kind === 'duplicate') return { measurements: [], problems, duplicate: true, info };
      if (verdict.kind === 'refused') return fail(problems, 'replayed_counter', verdict.message, info);
      if (verdict.restart) {
        info.restart = verdict.restart;
        // The new sequence numbers its packets anew: the old one's last packet id is no repeat.
        delete memory.packetId;
      }
    }
    objects = decrypted.plaintext;
  } else if (options.bindKey) {
    return fail(problems, 'not_encrypted', 'a bind key is set for this device but the advert is not encrypted; ignored, since anyone can send unencrypted adverts with this address', info);
  }
  const entries: Entry[] = [];
  readObjects(objects, entries, problems, info);
  if (memory && info.packetId !== undefined) {
    if (memory.packetId === info.packetId) return { measurements: [], problems, duplicate: true, info };
    memory.packetId = info.packetId;
  }
  return { measurements: nameEntries(entries), problems, info };
}
