import type { Point } from '../point/point.js';
import { newBatchId, type Batch } from '../shared/batch.js';
import { bodyPrefix, compressesBytes, gzipOffThread, gzipOnThread, sealHead, type BatchCodec, type BatchHead } from '../shared/batch-codec.js';
import { createBufferPool } from './_buffer-pool.js';
import { createLoopIdleProbe } from './_loop-idle.js';
import { createOpenBody, type FinishedBody } from './_open-body.js';
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
  /** Receives every sealed batch, in order (once its body is encoded). */
  onSeal: (batch: Batch) => void;
  /** Told when `onSeal` threw (the batch is then lost); the batcher goes on. */
  onSealError?: (err: unknown) => void;
  /**
   * Receives points that JSON could not encode when their batch sealed (the sink's `write()`
   * refuses such values, so this is a last resort), with the reason; the rest of the batch is
   * sealed without them. Default: they are only left out.
   */
  onUnencodable?: (points: readonly Point[], reason: string) => void;
  /** The sink run, recorded with provisional timestamps (see `Batch.unsynced`). */
  run: string;
  /** How batches are encoded (source id, gzip level). */
  codec: BatchCodec;
  /**
   * Asked once per batch to compress: true compresses it on the event loop. Default: while the
   * loop was mostly idle since the last batch (see {@link createBatcher}).
   */
  compressOnLoop?: () => boolean;
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
  /** Batches sealed but not yet handed to `onSeal` (being compressed, or behind one that is). */
  sealedAhead(): number;
  /** Stops the linger timer and the encoding of this turn's points; the open batch stays until `seal()`. */
  stop(): void;
  /** Resolves once every batch sealed so far has been handed to `onSeal`. */
  settled(): Promise<void>;
}

/**
 * Bodies waiting for or in compression off the event loop; past this a batch is compressed on
 * it, which slows the writer to what compression keeps up with (memory stays bounded). They are
 * compressed one after the other, not side by side: on a small machine parallel zlib jobs only
 * fight the event loop for the cores (measured: about 7 % more CPU per point for no more points
 * a second on 2 cores).
 */
const MAX_ENCODING = 4;

/**
 * Largest body (bytes of JSON) compressed on an idle event loop: a few milliseconds at gzip
 * level 1. A larger one goes to the threadpool, so a high gzip level never stalls the loop.
 */
const ON_LOOP_MAX_BYTES = 256 * 1024;

/**
 * Most points encoded together: a turn of the event loop that writes more (a replay, a burst)
 * encodes them this many at a time, each array's JSON text staying small and short-lived.
 */
const CHUNK_POINTS = 500;

/**
 * Creates a {@link Batcher}. Points are encoded as they come: those written in one turn of the
 * event loop are encoded together (one `JSON.stringify` of the array) into the open batch's body,
 * a pooled buffer (see `_open-body.ts` for why, in CPU). A point's size is estimated when added,
 * to seal before `maxBytes`; the body's real size is checked as it is written, and a batch whose
 * points came out larger (strings full of escapes) is sealed early, point by point. A sealed body
 * is gzip-compressed and handed on in the order sealed. A busy loop hands gzip to libuv's
 * threadpool (the writer goes on meanwhile); a mostly idle one, as a bridge reading a few
 * thousand points a second, compresses on the loop, where it costs the same CPU without waking a
 * pool thread and the loop again (measured on this project's 2-core VM: each wake-up of an idle
 * thread costs 0.2-0.3 ms of CPU, about what gzip level 1 takes for a body of 1000 points). The
 * linger timer is `unref()`ed so it never holds the process open.
 */
export function createBatcher(options: BatcherOptions): Batcher {
  const pool = createBufferPool(MAX_ENCODING + 1, 4 * options.maxBytes);
  const body = createOpenBody(bodyPrefix(options.codec), options.maxBytes, pool);
  /** Points added and not yet encoded (this turn's), their estimated bytes, and which are unsynced. */
  let pending: Point[] = [];
  let pendingBytes = 0;
  let pendingUnsynced: number[] = [];
  /** Indices of the body's points whose timestamps are provisional. */
  let unsynced: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let encodeSoon: NodeJS.Immediate | undefined;
  /** Batches sealed but not yet handed on, and how many are being compressed. */
  let queued = 0;
  let encoding = 0;
  let chain: Promise<void> = Promise.resolve();
  /** The last compression started: the next one starts when it ends. */
  let compressing: Promise<unknown> = Promise.resolve();
  const compressOnLoop = options.compressOnLoop ?? createLoopIdleProbe();

  const handOn = (batch: Batch): void => {
    try {
      options.onSeal(batch);
    } catch (err) {
      options.onSealError?.(err);
    }
  };

  const deliver = (made: Batch | Promise<Batch>): void => {
    // Nothing ahead of it: hand it on now, as a synchronous seal always did.
    if (queued === 0 && !(made instanceof Promise)) return handOn(made);
    queued += 1;
    chain = chain.then(() => made).then((batch) => {
      queued -= 1;
      handOn(batch);
    });
  };

  /** Hands on a finished body: as it is (1 KiB or less, or no gzip), or compressed on the loop or off it. */
  const emit = (finished: FinishedBody, head: BatchHead): void => {
    const { bytes, lent } = finished;
    if (!compressesBytes(bytes.length, options.codec)) {
      const text = bytes.toString('utf8');
      lent.release();
      return deliver(sealHead(head, text));
    }
    const level = options.codec.gzipLevel!;
    // compressOnLoop() is asked for every body: each call starts the window the next is judged by.
    const onLoop = compressOnLoop() && bytes.length <= ON_LOOP_MAX_BYTES;
    if (onLoop || encoding >= MAX_ENCODING) {
      let data: Buffer | string;
      try {
        data = gzipOnThread(bytes, level);
      } catch {
        // zlib failed (out of memory): the body goes as plain JSON rather than not at all.
        data = bytes.toString('utf8');
      } finally {
        lent.release();
      }
      return deliver(sealHead(head, data));
    }
    encoding += 1;
    // While it waits and is compressed, the batch is these bytes and its head.
    const compressed = compressing.then(() => gzipOffThread(bytes, level));
    compressing = compressed.catch(() => undefined);
    deliver(
      compressed.then(
        (data) => {
          encoding -= 1;
          lent.release();
          return sealHead(head, data);
        },
        () => {
          // zlib failed (out of memory): the body goes as plain JSON rather than not at all.
          encoding -= 1;
          const text = bytes.toString('utf8');
          lent.release();
          return sealHead(head, text);
        },
      ),
    );
  };

  /** Seals the body written so far, if it holds a point. */
  const sealBody = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const count = body.count;
    const finished = body.finish();
    if (finished === undefined) return;
    const now = options.now();
    const head: BatchHead = { id: newBatchId(now), createdAtMs: now, count, rawBytes: finished.bytes.length };
    if (unsynced.length > 0) head.unsynced = { run: options.run, indices: unsynced };
    unsynced = [];
    emit(finished, head);
  };

  /** Writes `points` (JSON `json`) into the body; `stamps`: which of them are unsynced. False when they do not fit. */
  const append = (json: string, points: number, stamps: readonly number[]): boolean => {
    const first = body.count;
    if (!body.append(json, points)) return false;
    for (const i of stamps) unsynced.push(first + i);
    return true;
  };

  /**
   * Points one at a time: those of an array JSON could not encode (a value turned circular, a
   * BigInt, a getter that throws), or too large together for the room left. A point that cannot
   * be encoded goes to `onUnencodable` with the reason; one that does not fit seals the body and
   * starts the next.
   */
  const appendOneByOne = (points: readonly Point[], stamps: readonly number[]): void => {
    const flagged = new Set(stamps);
    const refused: Point[] = [];
    let reason = '';
    points.forEach((point, i) => {
      let json: string;
      try {
        // As an array, as the whole chunk was: a point whose JSON is nothing (a toJSON returning undefined) is a null there too.
        json = JSON.stringify([point]);
      } catch (err) {
        reason = `cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`;
        refused.push(point);
        return;
      }
      const mark = flagged.has(i) ? [0] : [];
      if (append(json, 1, mark)) return;
      sealBody();
      append(json, 1, mark);
    });
    if (refused.length > 0) options.onUnencodable?.(refused, reason);
  };

  /** Encodes the points added since the last time into the body: at most CHUNK_POINTS, as add() encodes when that many wait. */
  const encodePending = (): void => {
    if (encodeSoon) clearImmediate(encodeSoon);
    encodeSoon = undefined;
    if (pending.length === 0) return;
    const points = pending;
    const stamps = pendingUnsynced;
    pending = [];
    pendingUnsynced = [];
    pendingBytes = 0;
    let json: string | undefined;
    try {
      json = JSON.stringify(points);
    } catch {
      // Found and reported point by point below.
    }
    if (json === undefined || !append(json, points.length, stamps)) appendOneByOne(points, stamps);
  };

  /** The open batch's points, encoded or not. */
  const openCount = (): number => body.count + pending.length;
  /** Bytes of the open batch: its body's, and an estimate of the points not encoded yet. */
  const openBytes = (): number => body.size() + pendingBytes;

  const seal = (): void => {
    encodePending();
    sealBody();
  };

  /** seal() where nothing may throw: from the timer (a throw would end the process) and from add() (inside the caller's write()). */
  const sealSafely = (): void => {
    try {
      seal();
    } catch (err) {
      options.onSealError?.(err);
    }
  };

  /** Starts the linger timer of an open batch that has none. */
  const armTimer = (): void => {
    if (timer || openCount() === 0) return;
    timer = setTimeout(sealSafely, options.lingerMs);
    timer.unref();
  };

  /**
   * encodePending() where nothing may throw, from setImmediate. Points that did not fit sealed
   * the body they were meant for: the next one, holding the rest, lingers from now.
   */
  const encodeSafely = (): void => {
    try {
      encodePending();
    } catch (err) {
      options.onSealError?.(err);
    } finally {
      armTimer();
    }
  };

  return {
    add(point, isUnsynced) {
      const size = estimatePointBytes(point);
      if (openCount() > 0 && openBytes() + size > options.maxBytes) sealSafely();
      if (isUnsynced) pendingUnsynced.push(pending.length);
      pending.push(point);
      pendingBytes += size;
      if (openCount() >= options.maxPoints || openBytes() >= options.maxBytes) return sealSafely();
      armTimer();
      // The points of this turn of the loop are encoded together once it is over.
      if (pending.length >= CHUNK_POINTS) encodeSafely();
      else encodeSoon ??= setImmediate(encodeSafely);
    },
    seal: sealSafely,
    pending: openCount,
    sealedAhead: () => queued,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (encodeSoon) clearImmediate(encodeSoon);
      encodeSoon = undefined;
    },
    settled: () => chain,
  };
}
