import type { Point } from '../point/point.js';
import { encodedBytes, newBatchId, withJson, type Batch } from '../shared/batch.js';

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

/** Creates a {@link Batcher}. The linger timer is `unref()`ed so it never holds the process open. */
export function createBatcher(options: BatcherOptions): Batcher {
  let points: Point[] = [];
  // Each point is encoded once, for its size; the batch's JSON is then these parts joined.
  let encoded: string[] = [];
  let bytes = 0;
  let unsynced: number[] = [];
  let timer: NodeJS.Timeout | undefined;

  const seal = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (points.length === 0) return;
    const now = options.now();
    const batch = withJson<Batch>({ id: newBatchId(now), points, bytes, createdAtMs: now }, `[${encoded.join(',')}]`);
    if (unsynced.length > 0) batch.unsynced = { run: options.run, indices: unsynced };
    points = [];
    encoded = [];
    bytes = 0;
    unsynced = [];
    options.onSeal(batch);
  };

  return {
    add(point, isUnsynced) {
      const json = JSON.stringify(point);
      const size = encodedBytes(json);
      if (points.length > 0 && bytes + size > options.maxBytes) seal();
      if (isUnsynced) unsynced.push(points.length);
      points.push(point);
      encoded.push(json);
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
