import { renderMetricName, type DecodeProblem, type DecodeResult, type Point } from '@fieldbridge/core/bridge';
import type { Advert } from './advert/advert.js';
import type { BthomeState } from './decode/bthome-state.js';
import { decodeAdvert } from './decode/decode-advert.js';
import { decodeCharacteristic } from './gatt/characteristics.js';
import type { DecodeProblemKind, Measurement } from './measurement.js';
import type { MetricVars, ResolvedCharacteristic, ResolvedDevice } from './resolve.js';

/**
 * A problem met turning an advert or a GATT value into points: the `kind` is the `kind` label of
 * `fieldbridge_source_errors_total` (a decoder's problem kind, or `bad_metric` when the metric
 * template gave no usable name), with the device it came from.
 */
export interface BleDecodeProblem extends DecodeProblem {
  kind: DecodeProblemKind | 'bad_metric';
  /** The device entry's name. */
  device: string;
  /** The physical device's address. */
  address: string;
}

/** What one advert gave. */
export interface AdvertPoints extends DecodeResult<BleDecodeProblem> {
  /** The advert repeats the last one of its device (a BTHome packet id or counter seen last time): there is nothing to send. */
  duplicate?: true;
}

/** Where the measurements of one message came from and when. */
export interface PointSource {
  device: ResolvedDevice;
  address: string;
  /** The advertised local name, when one was heard ({name} in templates). */
  name?: string | undefined;
  /** Receipt time, ms since the epoch. */
  t: number;
}

/**
 * Turns measurements into full points: the metric from the device's template, the value, the
 * timestamp, the device's tags plus `device`, `address`, `unit` (when the format gives one) and
 * `index` or `steps` (the position of a repeated value, the steps of a BTHome dimmer); numbers
 * are class `metric`, text and booleans go without a class (events). A measurement whose
 * metric name cannot be made is a `bad_metric` problem.
 */
export function measurementsToPoints(measurements: readonly Measurement[], from: PointSource, problems: BleDecodeProblem[]): Point[] {
  const { device, address, t } = from;
  const vars: MetricVars = { device: device.name, measurement: '', address, name: from.name };
  const points: Point[] = [];
  for (const m of measurements) {
    vars.measurement = m.measurement;
    const metric = renderMetricName(device.template, vars);
    if (!metric.ok) {
      problems.push({ kind: 'bad_metric', message: `${device.name} (${address}) ${m.measurement}: ${metric.message}`, device: device.name, address });
      continue;
    }
    const tags: Record<string, string> = { ...device.tags, device: device.name, address };
    if (m.unit !== undefined) tags.unit = m.unit;
    if (m.index !== undefined) tags.index = String(m.index);
    if (m.steps !== undefined) tags.steps = String(m.steps);
    const point: Point = { metric: metric.text, value: m.value, timestamp: t, tags };
    if (typeof m.value === 'number') point.class = 'metric';
    points.push(point);
  }
  return points;
}

/**
 * Decodes one advert of `device` into points, stamped with the advert's receipt time. Pure: the
 * BTHome repeat and replay memory lives in `state`, which the caller owns (one per adapter).
 * Devices read over GATT give only their RSSI from adverts, when asked. Never throws.
 */
export function decodeAdvertPoints(advert: Advert, device: ResolvedDevice, state: BthomeState): AdvertPoints {
  const problems: BleDecodeProblem[] = [];
  const from: PointSource = { device, address: advert.address, name: advert.name, t: advert.t };
  if (device.decoder === 'gatt') {
    const rssi: Measurement[] = device.rssi ? [{ measurement: 'rssi', value: advert.rssi, unit: 'dBm' }] : [];
    return { points: measurementsToPoints(rssi, from, problems), problems };
  }
  const result = decodeAdvert(advert, {
    decoder: device.decoder,
    state,
    rssi: device.rssi,
    ...(device.bindKey ? { bindKey: device.bindKey } : {}),
    ...(device.custom ? { custom: device.custom } : {}),
  });
  for (const p of result.problems) problems.push({ kind: p.kind, message: `${device.name} (${advert.address}) ${p.format}: ${p.message}`, device: device.name, address: advert.address });
  if (result.duplicate) return { points: [], problems, duplicate: true };
  return { points: measurementsToPoints(result.measurements, from, problems), problems };
}

/** A value read or notified over GATT, as `decodeReadingPoints` needs it. */
export interface ReadingInput {
  address: string;
  data: Uint8Array;
  /** Receipt time, ms since the epoch. */
  t: number;
}

/**
 * Decodes one GATT value of `device`'s `characteristic` into points: its byte slices when the
 * mapping gives them, else the built-in decoder of its UUID. Never throws.
 */
export function decodeReadingPoints(reading: ReadingInput, device: ResolvedDevice, characteristic: ResolvedCharacteristic, name?: string): DecodeResult<BleDecodeProblem> {
  const result = characteristic.custom ? characteristic.custom.decode(reading.data) : decodeCharacteristic(characteristic.uuid, reading.data);
  const problems: BleDecodeProblem[] = result.problems.map((p) => ({
    kind: p.kind,
    message: `${device.name} (${reading.address}) characteristic ${characteristic.uuid}: ${p.message}`,
    device: device.name,
    address: reading.address,
  }));
  const points = measurementsToPoints(result.measurements, { device, address: reading.address, name, t: reading.t }, problems);
  return { points, problems };
}
