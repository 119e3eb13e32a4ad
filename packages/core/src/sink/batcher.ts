import type { Point } from '../point/point.js';
import { newBatchId, type Batch } from '../shared/batch.js';
import { encodeBatch, type BatchCodec } from '../shared/batch-codec.js';
import { estimatePointBytes } from './_point-size.js';

/** Options of {@link createBatcher}. */
export interface BatcherOptions {
  /** Seal when the open batch holds this many points. Default 1000, at most 10 000. */
  maxPoints: number;
  /** Seal before the open batch's JSON would pass this many bytes. Default 1 MiB. */
  maxBytes: number;
  /** Seal this many ms after the open batch's first point. Default 1000. */
  lingerMs: number;
  /** Wall-clock time for `createdAtMs` and batch ids. */
  now: () => number;
  /** Receives every sealed batch, in order. */
  onSeal: (batch: Batch) => void;
  /** The sink run, recorded with provisional timestamps (see `Batch.unsynced`). */
  run: string;
  /** How batches are encoded (source id, gzip level). */
  codec: BatchCodec;
}

/** Groups points into batches; full batches are sealed at once, the timer only bounds latency. */
export interface Batcher {
  /**
   * Adds a point (already validated and stamped). `unsynced`: its timestamp was stamped by the
   * sink before the clock had a server sample.
   */
  add(point: Point, unsynced?: boolean): void;
  /** Seals the open batch now, if it holds anything. */
  seal(): void;
  /** Points in the open batch. */
  pending(): number;
  /** Stops the linger timer; the open batch stays until `seal()`. */
  stop(): void;
}

/**
 * Creates a {@link Batcher}. A point's size is estimated without encoding it; a batch is encoded
 * once, when sealed (JSON, then gzip), and in the rare case its JSON came out over `maxBytes`
 * (strings full of escapes) it is sealed as two halves instead. The linger timer is `unref()`ed
 * so it never holds the process open.
 */
export function createBatcher(options: BatcherOptions): Batcher {
  let points: Point[] = [];
  let bytes = 0;
  let unsynced: number[] = [];
  let timer: NodeJS.Timeout | undefined;

  const emit = (batchPoints: Point[], stamps: number[], now: number): void => {
    const batch = encodeBatch({ id: newBatchId(now), createdAtMs: now, points: batchPoints, ...(stamps.length > 0 ? { unsynced: { run: options.run, indices: stamps } } : {}) }, options.codec);
    if ((batch.rawBytes ?? 0) > options.maxBytes && batchPoints.length > 1) {
      const half = Math.ceil(batchPoints.length / 2);
      emit(batchPoints.slice(0, half), stamps.filter((i) => i < half), now);
      emit(batchPoints.slice(half), stamps.filter((i) => i >= half).map((i) => i - half), now);
      return;
    }
    options.onSeal(batch);
  };

  const seal = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (points.length === 0) return;
    const sealed = points;
    const stamps = unsynced;
    points = [];
    bytes = 0;
    unsynced = [];
    emit(sealed, stamps, options.now());
  };

  return {
    add(point, isUnsynced) {
      const size = estimatePointBytes(point);
      if (points.length > 0 && bytes + size > options.maxBytes) seal();
      if (isUnsynced) unsynced.push(points.length);
      points.push(point);
      bytes += size;
      if (points.length >= options.maxPoints || bytes >= options.maxBytes) {
        seal();
      } else if (!timer) {
        timer = setTimeout(seal, options.lingerMs);
        timer.unref();
      }
    },
    seal,
    pending: () => points.length,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
