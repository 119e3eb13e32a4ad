import { companyIdOf, serviceDataOf, type Advert } from '../advert/advert.js';
import { rssiMeasurements } from '../advert/rssi.js';
import type { DecodeResult } from '../measurement.js';
import { decodeBthome, type BthomeInfo } from './bthome.js';
import { BTHOME_UUID } from './bthome-crypto.js';
import type { CounterRestart } from './bthome-counter.js';
import type { BthomeState } from './bthome-state.js';
import type { CustomDecoder } from './custom.js';
import { decodeEddystone, EDDYSTONE_UUID } from './eddystone.js';
import { APPLE_COMPANY_ID, decodeIbeacon } from './ibeacon.js';
import { decodeRuuvi, RUUVI_COMPANY_ID, RUUVI_FORMATS } from './ruuvi.js';
import { ATC1441_ENCRYPTED_LENGTH, ATC1441_LENGTH, decodeAtc1441, decodePvvx, PVVX_ENCRYPTED_LENGTH, PVVX_LENGTH, XIAOMI_CUSTOM_UUID } from './xiaomi.js';

/** The advert decoders, as a mapping names them. */
export type AdvertDecoderName = 'bthome' | 'ruuvi' | 'atc' | 'pvvx' | 'ibeacon' | 'eddystone' | 'custom';

/** Every advert decoder name. */
export const ADVERT_DECODERS: readonly AdvertDecoderName[] = ['bthome', 'ruuvi', 'atc', 'pvvx', 'ibeacon', 'eddystone', 'custom'];

/** How {@link decodeAdvert} decodes. */
export interface DecodeAdvertOptions {
  decoder: AdvertDecoderName;
  /** bthome, atc, pvvx: the device's bind key (see `parseBindKey`). */
  bindKey?: Uint8Array;
  /** bthome, and atc and pvvx with a bind key: memory across adverts (repeats, replays); share one per adapter. */
  state?: BthomeState;
  /**
   * bthome, atc, pvvx, with `state`: how long (ms of the adverts' receipt times) lower encryption counters
   * must keep rising before they are taken as a counter restart (see `decodeBthome`). Default 0:
   * never.
   */
  counterRestartAfterMs?: number;
  /** custom: the compiled decoder (see `compileCustomDecoder`). */
  custom?: CustomDecoder;
  /** Add the advert's RSSI as a `rssi` measurement (dBm). Default false. */
  rssi?: boolean;
}

/** {@link DecodeResult} of one advert. */
export interface AdvertDecodeResult extends DecodeResult {
  format: AdvertDecoderName;
  /**
   * False when the advert carries no data for this decoder (a scan response with only a
   * name, another frame of a device that interleaves formats): nothing was decoded, and it is
   * no problem.
   */
  found: boolean;
  /** bthome: the device info byte and counters. */
  bthome?: BthomeInfo;
  /** An encrypted advert (bthome, atc, pvvx) accepted as its sensor's encryption counter restart: the new baseline. */
  restart?: CounterRestart;
}

function dataFor(advert: Advert, options: DecodeAdvertOptions): Uint8Array | undefined {
  switch (options.decoder) {
    case 'bthome':
      return serviceDataOf(advert, BTHOME_UUID);
    case 'atc':
    case 'pvvx':
      return serviceDataOf(advert, XIAOMI_CUSTOM_UUID);
    case 'eddystone':
      return serviceDataOf(advert, EDDYSTONE_UUID);
    case 'ruuvi':
      return companyIdOf(advert) === RUUVI_COMPANY_ID ? advert.manufacturerData : undefined;
    case 'ibeacon':
      return companyIdOf(advert) === APPLE_COMPANY_ID ? advert.manufacturerData : undefined;
    case 'custom':
      return options.custom?.pick(advert);
  }
}

function run(data: Uint8Array, advert: Advert, options: DecodeAdvertOptions): DecodeResult & { info?: BthomeInfo; restart?: CounterRestart } {
  // What the encrypted formats need: BTHome's and the pvvx firmware's share their replay guard.
  const crypto = () => ({
    address: advert.address,
    t: advert.t,
    ...(options.bindKey ? { bindKey: options.bindKey } : {}),
    ...(options.state ? { state: options.state } : {}),
    ...(options.counterRestartAfterMs ? { counterRestartAfterMs: options.counterRestartAfterMs } : {}),
  });
  switch (options.decoder) {
    case 'bthome': {
      const result = decodeBthome(data, crypto());
      return result.info?.restart ? { ...result, restart: result.info.restart } : result;
    }
    case 'ruuvi':
      return decodeRuuvi(data);
    case 'atc':
      return decodeAtc1441(data, crypto());
    case 'pvvx':
      return decodePvvx(data, crypto());
    case 'ibeacon':
      return decodeIbeacon(data);
    case 'eddystone':
      return decodeEddystone(data);
    case 'custom':
      return options.custom!.decode(data);
  }
}

/**
 * Decodes one advert with the decoder a device is mapped to: picks the decoder's data (BTHome
 * and ATC/pvvx and Eddystone service data, Ruuvi and iBeacon manufacturer data, or what a
 * custom decoder names), decodes it, stamps each problem with the advert's address and, when
 * asked, adds the RSSI (unless the advert is a repeat or gave nothing but problems). Pure: no I/O, no logging, no counting; BTHome's repeat and replay
 * memory lives in `options.state`, which the caller owns. Never throws.
 */
export function decodeAdvert(advert: Advert, options: DecodeAdvertOptions): AdvertDecodeResult {
  const data = dataFor(advert, options);
  if (data === undefined) return { format: options.decoder, found: false, measurements: [], problems: [] };
  const result = run(data, advert, options);
  for (const p of result.problems) p.address = advert.address;
  const out: AdvertDecodeResult = { format: options.decoder, found: true, measurements: result.measurements, problems: result.problems };
  if (result.duplicate) out.duplicate = true;
  if (result.identity) out.identity = result.identity;
  if (result.info) out.bthome = result.info;
  if (result.restart) out.restart = result.restart;
  if (options.rssi && !result.duplicate && (result.measurements.length > 0 || result.problems.length === 0)) out.measurements.push(...rssiMeasurements(advert));
  return out;
}

/**
 * The built-in formats `advert` looks like, for discovery and `--check` output: BTHome v2
 * service data, a Ruuvi RAWv2 or RAWv1 frame, ATC1441 or pvvx service data (by length, encrypted or not), an iBeacon,
 * Eddystone service data.
 */
export function detectFormats(advert: Advert): AdvertDecoderName[] {
  const found: AdvertDecoderName[] = [];
  if (serviceDataOf(advert, BTHOME_UUID)) found.push('bthome');
  const company = companyIdOf(advert);
  const m = advert.manufacturerData;
  if (company === RUUVI_COMPANY_ID && RUUVI_FORMATS.includes(m?.[2] ?? -1)) found.push('ruuvi');
  const xiaomi = serviceDataOf(advert, XIAOMI_CUSTOM_UUID);
  if (xiaomi?.length === ATC1441_LENGTH || xiaomi?.length === ATC1441_ENCRYPTED_LENGTH) found.push('atc');
  if (xiaomi?.length === PVVX_LENGTH || xiaomi?.length === PVVX_ENCRYPTED_LENGTH) found.push('pvvx');
  if (company === APPLE_COMPANY_ID && m?.[2] === 0x02 && m[3] === 0x15) found.push('ibeacon');
  if (serviceDataOf(advert, EDDYSTONE_UUID)) found.push('eddystone');
  return found;
}
