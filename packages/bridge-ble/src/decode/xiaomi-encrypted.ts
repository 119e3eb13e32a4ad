import type { DecodeResult, Measurement } from '../measurement.js';
import { openCcm } from './aes-ccm.js';
import type { CounterRestart } from './bthome-counter.js';
import type { BthomeState } from './bthome-state.js';
import { extendWrapping, guardCounter, wrapped } from './counter-guard.js';
import { paceAfter, paceLost } from './_counter-pace.js';
import { i16le, u16le } from './_read.js';

/** What decoding the firmware's encrypted formats needs beyond the service data. */
export interface XiaomiCryptoOptions {
  /** The advertiser's MAC (`a4:c1:38:ab:cd:ef`): part of the nonce and the key of `state`. */
  address: string;
  /** The device's 16-byte bind key; when set, unencrypted adverts are refused. */
  bindKey?: Uint8Array;
  /** Memory across adverts (the last counter accepted), shared with BTHome; without it every advert is decoded. */
  state?: BthomeState;
  /** Receipt time of the advert, ms: times a counter restart. Default 0. */
  t?: number;
  /** As BTHome's (see `decodeBthome`): how long lower counters must rise to be a counter restart, ms. Default 0: never. */
  counterRestartAfterMs?: number;
}

/** {@link DecodeResult} of an encrypted advert, with the counter restart it was accepted as. */
export interface XiaomiResult extends DecodeResult {
  restart?: CounterRestart;
}

/** The firmware's counter is one byte (`adv_cust_head_t.counter`): it wraps every 256 measurements. */
const COUNTER_BITS = 8;
const MIC_LENGTH = 4;
/** The associated data the firmware authenticates, one byte (`aad = 0x11` in custom_beacon.c). */
const AAD = Uint8Array.of(0x11);

/**
 * The 11-byte nonce of pvvx's custom_beacon.c (`enc_beacon_nonce_t`): the MAC least significant
 * byte first, then the advert structure's own head: its length byte (the service data plus 3),
 * 0x16 (service data, 16-bit UUID), the UUID 0x181A little-endian, the counter.
 */
function nonceOf(address: string, serviceDataLength: number, counter: number): Uint8Array {
  const nonce = new Uint8Array(11);
  const mac = Buffer.from(address.replace(/:/g, ''), 'hex');
  for (let i = 0; i < 6; i++) nonce[i] = mac[5 - i] ?? 0;
  nonce.set([serviceDataLength + 3, 0x16, 0x1a, 0x18, counter], 6);
  return nonce;
}

/** The values of the pvvx custom encrypted format (`adv_cust_data_t`): no battery voltage, unlike the plain one. */
function pvvxValues(p: Uint8Array, counter: number): Measurement[] {
  return [
    { measurement: 'temperature', value: i16le(p, 0) / 100, unit: '°C' },
    { measurement: 'humidity', value: u16le(p, 2) / 100, unit: '%' },
    { measurement: 'battery', value: p[4]!, unit: '%' },
    { measurement: 'counter', value: counter },
    { measurement: 'flags', value: p[5]! },
  ];
}

/**
 * The values of the ATC1441 encrypted format (`adv_atc_data_t`): temperature in 0.5 °C above
 * -40 and humidity in 0.5 %, each one unsigned byte (the python-interface reads the temperature as
 * signed, which the firmware's `uint8_t` and its -40..87.5 °C range contradict); the battery's top
 * bit is the trigger output, not part of the level.
 */
function atcValues(p: Uint8Array, counter: number): Measurement[] {
  return [
    { measurement: 'temperature', value: p[0]! / 2 - 40, unit: '°C' },
    { measurement: 'humidity', value: p[1]! / 2, unit: '%' },
    { measurement: 'battery', value: p[2]! & 0x7f, unit: '%' },
    { measurement: 'counter', value: counter },
  ];
}

/**
 * Decrypts and decodes service data 181a sent with the pvvx/ATC firmware's "Encrypted beacon"
 * option (`serviceData`: counter, ciphertext, 4-byte MIC; 11 bytes for the pvvx custom format, 8
 * for ATC1441) with the device's bind key: AES-128-CCM, nonce and associated data as
 * `nonceOf` and `AAD` say. With `state`, the counter is guarded as BTHome's is (a repeat is
 * `duplicate`, an older one `replayed_counter`), read as a wrapping byte. Never throws.
 */
export function decodeXiaomiEncrypted(format: 'atc' | 'pvvx', serviceData: Uint8Array, key: Uint8Array, options: XiaomiCryptoOptions): XiaomiResult {
  const counter = serviceData[0]!;
  const end = serviceData.length;
  const opened = openCcm(key, nonceOf(options.address, end, counter), AAD, serviceData.subarray(1, end - MIC_LENGTH), serviceData.subarray(end - MIC_LENGTH));
  if (!opened.ok) {
    return { measurements: [], problems: [{ kind: 'decrypt_failed', format, message: `the advert did not authenticate with the device's bind key (${opened.reason}); check bind_key for this device (the key set in the firmware's settings, TelinkMiFlasher)` }] };
  }
  const result: XiaomiResult = { measurements: format === 'pvvx' ? pvvxValues(opened.plaintext, counter) : atcValues(opened.plaintext, counter), problems: [] };
  const memory = options.state?.device(options.address);
  if (!memory) return result;
  const atMs = options.t ?? 0;
  // Silent long enough for its one byte to have gone past comparison: its next counter starts afresh.
  if (memory.pace && memory.counter !== undefined && paceLost(memory.pace, atMs, COUNTER_BITS)) {
    delete memory.counter;
    delete memory.restart;
    delete memory.pace;
  }
  const extended = extendWrapping(counter, COUNTER_BITS, memory.counter);
  const verdict = guardCounter(memory, extended, atMs, options.counterRestartAfterMs ?? 0, wrapped(COUNTER_BITS));
  if (verdict.kind === 'duplicate') return { measurements: [], problems: [], duplicate: true };
  if (verdict.kind === 'refused') return { measurements: [], problems: [{ kind: 'replayed_counter', format, message: verdict.message }] };
  // A restart begins a new pace: the counts before it say nothing of the ones after.
  memory.pace = paceAfter(verdict.restart ? undefined : memory.pace, extended, atMs);
  if (verdict.restart) result.restart = verdict.restart;
  return result;
}
