import { renderMetricName, type DecodeProblem, type DecodeResult, type Point } from '@fieldbridge/core/bridge';
import type { Advert } from './advert/advert.js';
import { rssiMeasurements } from './advert/rssi.js';
import { beaconIdentity, beaconIdOf } from './beacon-id.js';
import type { CounterRestart } from './decode/bthome-counter.js';
import type { BthomeState } from './decode/bthome-state.js';
import type { DeviceIdentity } from './identity.js';
import { decodeAdvert } from './decode/decode-advert.js';
import { decodeCharacteristic } from './gatt/characteristics.js';
import type { DecodeProblemKind, Measurement } from './measurement.js';
import { matchesBeacons, type MetricVars, type ResolvedCharacteristic, type ResolvedDevice } from './resolve.js';

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

/** What one advert or GATT value gave: its points, its problems, and which points are events. */
export interface BlePoints extends DecodeResult<BleDecodeProblem> {
  /**
   * The points that are events, not states (a BTHome button press, an RR interval): the same
   * value again is a new event, so a change filter must not hold one back as `unchanged`.
   * Absent when there are none.
   */
  events?: ReadonlySet<Point>;
}

/** What one advert gave. */
export interface AdvertPoints extends BlePoints {
  /** The advert repeats the last one of its device (a BTHome packet id or counter seen last time): there is nothing to send. */
  duplicate?: true;
  /**
   * The advert carries no data the device's decoder reads (a frame of another format, or a
   * decoder that does not fit the device): nothing was decoded, and on its own it is no problem.
   */
  noData?: true;
  /** An encrypted advert (BTHome, ATC1441, pvvx) accepted as its sensor's encryption counter restart (a battery change?), the new baseline. */
  counterRestart?: CounterRestart;
  /** BTHome: the device info byte says whether the device is trigger based (sends only when something happens, a button). */
  triggerBased?: boolean;
}

/** Where the measurements of one message came from and when. */
export interface PointSource {
  device: ResolvedDevice;
  address: string;
  /** The advertised local name, when one was heard ({name} in templates). */
  name?: string | undefined;
  /**
   * What the device is tracked by when its address may change: a fleet's beacon its identity, a
   * device matched by name on a changing address its name. Its points carry the identity's tags
   * (`major` and `minor`, `instance`, or `local_name`; `address` too for one split off from a
   * device advertising the same) and no `address` otherwise, and `{name}` falls back to its
   * label rather than its address.
   */
  identity?: DeviceIdentity | undefined;
  /** Receipt time, ms since the epoch. */
  t: number;
}

/** The metric name and tags one measurement of one device gets, or why it gets none. */
type PointShape = { metric: string; tags: Readonly<Record<string, string>>; unit: string | undefined } | { problem: string; unit: string | undefined };

/**
 * Metric names and tags already made for one physical device, by measurement: they depend only
 * on the device (entry, address or identity, name) and the measurement, so a source keeps one per device and
 * the hot path does no template filling. Optional: results are the same without it. Bounded.
 * Forget it (make a new one) when the device's advertised name changes.
 */
export class PointShapes {
  private readonly shapes = new Map<string, PointShape>();

  /** @param maxShapes Measurements remembered (more are made each time). Default 512. */
  constructor(private readonly maxShapes = 512) {}

  get(measurement: string): PointShape | undefined {
    return this.shapes.get(measurement);
  }

  set(measurement: string, shape: PointShape): void {
    if (this.shapes.size < this.maxShapes || this.shapes.has(measurement)) this.shapes.set(measurement, shape);
  }
}

function shapeOf(m: Measurement, from: PointSource): PointShape {
  const { device, address } = from;
  const { identity } = from;
  const metric = renderMetricName(device.template, { device: device.name, measurement: m.measurement, address, name: from.name, label: identity?.label } satisfies MetricVars);
  if (!metric.ok) return { problem: `${device.name} (${address}) ${m.measurement}: ${metric.message}`, unit: m.unit };
  // A device tracked by its identity is told apart by it: an address it rotates would split its series.
  const tags: Record<string, string> = identity ? { ...device.tags, ...identity.tags, device: device.name } : { ...device.tags, device: device.name, address };
  if (m.unit !== undefined) tags.unit = m.unit;
  // Shared by every point of this measurement: frozen, so nothing downstream can change them all.
  return { metric: metric.text, tags: Object.freeze(tags), unit: m.unit };
}

/**
 * Turns measurements into full points: the metric from the device's template, the value, the
 * timestamp, the device's tags plus `device`, `address` (the identity's tags instead, see {@link PointSource.identity}), `unit` (when the format gives one) and
 * `index` or `steps` (the position of a repeated value, the steps of a BTHome dimmer); numbers
 * are class `metric`, text and booleans go without a class (events). A measurement whose
 * metric name cannot be made is a `bad_metric` problem. `shapes` (see {@link PointShapes})
 * saves making the same names and tags again; points made with it share their tags objects.
 */
export function measurementsToPoints(measurements: readonly Measurement[], from: PointSource, problems: BleDecodeProblem[], shapes?: PointShapes): Point[] {
  return toPoints(measurements, from, problems, shapes).points;
}

/** {@link measurementsToPoints}, also saying which points came from measurements marked `event`. */
function toPoints(measurements: readonly Measurement[], from: PointSource, problems: BleDecodeProblem[], shapes?: PointShapes): BlePoints {
  const points: Point[] = [];
  let events: Set<Point> | undefined;
  for (const m of measurements) {
    let shape = shapes?.get(m.measurement);
    if (!shape || shape.unit !== m.unit) {
      shape = shapeOf(m, from);
      shapes?.set(m.measurement, shape);
    }
    if ('problem' in shape) {
      problems.push({ kind: 'bad_metric', message: shape.problem, device: from.device.name, address: from.address });
      continue;
    }
    let tags = shape.tags;
    if (m.index !== undefined || m.steps !== undefined) {
      const extra: Record<string, string> = { ...tags };
      if (m.index !== undefined) extra.index = String(m.index);
      if (m.steps !== undefined) extra.steps = String(m.steps);
      tags = extra;
    }
    const point: Point = { metric: shape.metric, value: m.value, timestamp: from.t, tags };
    if (typeof m.value === 'number') point.class = 'metric';
    points.push(point);
    if (m.event) (events ??= new Set()).add(point);
  }
  return events ? { points, problems, events } : { points, problems };
}

/**
 * Decodes one advert of `device` into points, stamped with the advert's receipt time; they
 * carry the tags of `identity` instead of the address (a beacon entry's default: the identity of
 * the advert's own iBeacon or Eddystone-UID frame). Pure: the
 * BTHome repeat and replay memory lives in `state`, which the caller owns (one per adapter), as
 * does `shapes` (one per device).
 * Devices read over GATT give only their RSSI from adverts, when asked; an advert without data
 * for the decoder gives nothing, marked `noData`. Points of events (a button press) are also in
 * `events`. Never throws.
 */
export function decodeAdvertPoints(advert: Advert, device: ResolvedDevice, state: BthomeState, shapes?: PointShapes, identity?: DeviceIdentity): AdvertPoints {
  const problems: BleDecodeProblem[] = [];
  const id = identity === undefined && matchesBeacons(device.match) ? beaconIdOf(advert) : undefined;
  const from: PointSource = { device, address: advert.address, name: advert.name, identity: identity ?? (id && beaconIdentity(id)), t: advert.t };
  if (device.decoder === 'gatt') {
    const rssi: Measurement[] = device.rssi ? rssiMeasurements(advert) : [];
    return toPoints(rssi, from, problems, shapes);
  }
  const result = decodeAdvert(advert, {
    decoder: device.decoder,
    state,
    rssi: device.rssi,
    ...(device.bindKey ? { bindKey: device.bindKey } : {}),
    ...(device.custom ? { custom: device.custom } : {}),
    ...(device.counterRestartAfterMs ? { counterRestartAfterMs: device.counterRestartAfterMs } : {}),
  });
  if (!result.found) return { points: [], problems, noData: true };
  for (const p of result.problems) problems.push({ kind: p.kind, message: `${device.name} (${advert.address}) ${p.format}: ${p.message}`, device: device.name, address: advert.address });
  const triggerBased = result.bthome?.triggerBased;
  if (result.duplicate) return { points: [], problems, duplicate: true, ...(triggerBased !== undefined ? { triggerBased } : {}) };
  const points: AdvertPoints = toPoints(result.measurements, from, problems, shapes);
  if (result.restart) points.counterRestart = result.restart;
  if (triggerBased !== undefined) points.triggerBased = triggerBased;
  return points;
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
 * mapping gives them, else the built-in decoder of its UUID; points of events (an RR interval)
 * are also in `events`. Never throws.
 */
export function decodeReadingPoints(reading: ReadingInput, device: ResolvedDevice, characteristic: ResolvedCharacteristic, name?: string, shapes?: PointShapes): BlePoints {
  const result = characteristic.custom ? characteristic.custom.decode(reading.data) : decodeCharacteristic(characteristic.uuid, reading.data);
  const problems: BleDecodeProblem[] = result.problems.map((p) => ({
    kind: p.kind,
    message: `${device.name} (${reading.address}) characteristic ${characteristic.uuid}: ${p.message}`,
    device: device.name,
    address: reading.address,
  }));
  return toPoints(result.measurements, { device, address: reading.address, name, t: reading.t }, problems, shapes);
}
