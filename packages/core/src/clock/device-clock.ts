// A device clock placed on the wall clock. Protocol-free on purpose: MAVLink boot times and CAN
// kernel stamps use it (through the bridge kit), so nothing here may know where the samples
// come from.

/** Options of {@link createDeviceClock}. */
export interface DeviceClockOptions {
  /**
   * How long a sample may stay the anchor, in ms of local time. Longer windows ride out longer
   * stretches of delayed traffic; shorter ones follow a changed path sooner. Default 60,000.
   */
  windowMs?: number;
  /**
   * The largest rate difference assumed between the device's oscillator and the local clock, in
   * parts per million. An older sample's bound on the offset is widened by this much per ms of
   * age, so a sample that was the best long ago does not pin the offset forever. Default 100
   * (crystal oscillators are within 50 ppm; 100 leaves room for temperature).
   */
  driftPpm?: number;
  /**
   * How far device time may step back, in ms, before it counts as a restart (the device rebooted
   * and its clock began again at zero). Smaller steps back are samples taken earlier than the one
   * before (a message stamped when a sensor was read), not restarts. Default 1,000.
   */
  restartBackstepMs?: number;
  /** Buckets the window is split into; the best sample of each is kept. Memory is bounded by this. Default 16. */
  buckets?: number;
}

/** Where one device time falls on the wall clock. */
export interface DevicePlacement {
  /** The wall time of the device time, in ms since the epoch: device time plus the offset. */
  wallMs: number;
  /** The offset used (wall minus device), in ms. */
  offsetMs: number;
  /** True when this sample detected a restart, which discarded the earlier anchor. */
  restarted: boolean;
}

/**
 * Maps a device's clock (ms since it booted, or any clock with an unknown origin) onto the local
 * wall clock.
 */
export interface DeviceClock {
  /**
   * Offers a sample (device time `deviceMs`, received at local wall time `localMs`) and places it.
   * A sample is never placed after its arrival: the offset is an upper bound (see below).
   */
  place(deviceMs: number, localMs: number): DevicePlacement;
  /** The offset (wall minus device) at local time `localMs`, in ms; undefined before any sample. */
  offsetMs(localMs: number): number | undefined;
  /** Restarts detected so far. */
  restarts(): number;
  /** Forgets every sample (the device is known to have changed, e.g. another vehicle on the id). */
  reset(): void;
}

interface Sample {
  /** Local time of the sample, relative to the first sample (keeps the numbers small). */
  t: number;
  /** local - device at that time: the true offset plus the transport delay. */
  d: number;
  /** d - drift * t: the sample with the smallest key gives the tightest bound at any later time. */
  key: number;
  /** Which bucket of the window it belongs to. */
  bucket: number;
}

/**
 * Creates the estimator; throws a RangeError for options out of range. Every sample received at local time `t` with device time `dev` bounds
 * the offset from above: `offset <= t - dev` (the message left before it arrived). The lowest-
 * delay sample is therefore the best anchor. Because the two clocks drift apart by at most
 * `driftPpm`, a sample taken `age` ms ago still bounds today's offset, loosened by
 * `drift * age`: the estimate is the minimum over the window of `(t_i - dev_i) + drift * (now -
 * t_i)`. Samples are kept per bucket (the lowest-key sample of each of `buckets` slices of the
 * window), so memory and time per sample are bounded.
 */
export function createDeviceClock(options: DeviceClockOptions = {}): DeviceClock {
  const windowMs = options.windowMs ?? 60_000;
  const driftPpm = options.driftPpm ?? 100;
  const backstep = options.restartBackstepMs ?? 1_000;
  const bucketCount = options.buckets ?? 16;
  if (!(windowMs > 0 && Number.isFinite(windowMs))) throw new RangeError(`windowMs must be a positive number of ms (got ${windowMs})`);
  if (!(driftPpm >= 0 && driftPpm < 1e6)) throw new RangeError(`driftPpm must be at least 0 and below 1,000,000 (got ${driftPpm})`);
  if (!(backstep >= 0)) throw new RangeError(`restartBackstepMs must be at least 0 (got ${backstep})`);
  if (!(Number.isInteger(bucketCount) && bucketCount >= 1 && bucketCount <= 1024)) throw new RangeError(`buckets must be an integer from 1 to 1024 (got ${bucketCount})`);
  const drift = driftPpm * 1e-6;
  const bucketMs = windowMs / bucketCount;

  let origin: number | undefined;
  let lastDevice = -Infinity;
  let restarts = 0;
  let samples: Sample[] = [];
  let best: Sample | undefined;

  const rechoose = (): void => {
    best = undefined;
    for (const s of samples) if (!best || s.key < best.key) best = s;
  };
  /** Drops samples older than the window; the newest always stays, however old: an anchor is better than none. */
  const expire = (t: number): boolean => {
    let dropped = false;
    while (samples.length > 1 && t - samples[0]!.t > windowMs) {
      samples.shift();
      dropped = true;
    }
    return dropped;
  };

  const offsetAt = (t: number): number | undefined => (best ? best.key + drift * t : undefined);

  return {
    place(deviceMs, localMs) {
      let restarted = false;
      if (deviceMs < lastDevice - backstep) {
        restarted = true;
        restarts += 1;
        samples = [];
        best = undefined;
        lastDevice = -Infinity;
      }
      if (deviceMs > lastDevice) lastDevice = deviceMs;
      origin ??= localMs;
      const t = localMs - origin;
      const d = localMs - deviceMs;
      const sample: Sample = { t, d, key: d - drift * t, bucket: Math.floor(t / bucketMs) };
      const last = samples[samples.length - 1];
      if (last && last.bucket === sample.bucket) {
        if (sample.key < last.key) samples[samples.length - 1] = sample;
      } else {
        samples.push(sample);
      }
      const dropped = expire(t) || (samples.length > bucketCount + 1 && samples.shift() !== undefined);
      if (dropped) rechoose();
      else if (!best || sample.key < best.key) best = sample;
      const offset = offsetAt(t)!;
      return { wallMs: deviceMs + offset, offsetMs: offset, restarted };
    },
    offsetMs(localMs) {
      return origin === undefined ? undefined : offsetAt(localMs - origin);
    },
    restarts: () => restarts,
    reset() {
      samples = [];
      best = undefined;
      lastDevice = -Infinity;
    },
  };
}
