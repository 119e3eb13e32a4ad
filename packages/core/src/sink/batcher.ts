import type { Point } from '../point/point.js';
import { newBatchId, type Batch } from '../shared/batch.js';
import { batchHead, bodyJson, compresses, gzipOffThread, gzipOnThread, sealBatch, sealHead, type BatchCodec, type BatchFields } from '../shared/batch-codec.js';
import { createLoopIdleProbe } from './_loop-idle.js';
import { estimatePointBytes } from './_point-size.js';
import { createTextScratch } from './_text-scratch.js';

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
  /** Stops the linger timer; the open batch stays until `seal()`. */
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
 * Largest body (characters of JSON) compressed on an idle event loop: a few milliseconds at gzip
 * level 1. A larger one goes to the threadpool, so a high gzip level never stalls the loop.
 */
const ON_LOOP_MAX_CHARS = 256 * 1024;

/**
 * Creates a {@link Batcher}. A point's size is estimated without encoding it; a batch is encoded
 * once, when sealed: JSON on the event loop, then gzip, and handed on in the order sealed. A busy
 * loop hands gzip to libuv's threadpool (the writer goes on meanwhile); a mostly idle one, as a
 * bridge reading a few thousand points a second, compresses on the loop, where it costs the same
 * CPU without waking a pool thread and the loop again (measured on this project's 2-core VM: each
 * wake-up of an idle thread costs 0.2-0.3 ms of CPU, about what gzip level 1 takes for a body of
 * 1000 points). In the rare case its JSON came out over `maxBytes` (strings full of escapes) it is
 * sealed as two halves instead. The linger timer is `unref()`ed so it never holds the process open.
 */
export function createBatcher(options: BatcherOptions): Batcher {
  let points: Point[] = [];
  let bytes = 0;
  let unsynced: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** Batches sealed but not yet handed on, and how many are being compressed. */
  let queued = 0;
  let encoding = 0;
  let chain: Promise<void> = Promise.resolve();
  /** The last compression started: the next one starts when it ends. */
  let compressing: Promise<unknown> = Promise.resolve();
  /** The buffers bodies are compressed from, one per body in compression. */
  const scratch = createTextScratch(MAX_ENCODING, 4 * options.maxBytes);
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

  /**
   * A batch JSON could not encode (a point's value turned circular, a BigInt, a getter that
   * throws): each point is tried alone, those that fail go to `onUnencodable`, and the others are
   * sealed, so one point never costs the batch.
   */
  const emitEncodable = (batchPoints: Point[], stamps: number[], now: number, err: unknown): void => {
    const kept: Point[] = [];
    const keptStamps: number[] = [];
    const refused: Point[] = [];
    let reason = `cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`;
    const unsynced = new Set(stamps);
    batchPoints.forEach((point, i) => {
      try {
        JSON.stringify(point);
      } catch (pointErr) {
        reason = `cannot be encoded as JSON: ${(pointErr as Error)?.message ?? String(pointErr)}`;
        refused.push(point);
        return;
      }
      if (unsynced.has(i)) keptStamps.push(kept.length);
      kept.push(point);
    });
    // Points that encode alone but not together (a toJSON that throws on its second call): none kept.
    if (refused.length === 0) refused.push(...kept.splice(0));
    options.onUnencodable?.(refused, reason);
    if (kept.length > 0) emit(kept, keptStamps, now, true);
  };

  const emit = (batchPoints: Point[], stamps: number[], now: number, isolated = false): void => {
    const fields: BatchFields = { id: newBatchId(now), createdAtMs: now, points: batchPoints, ...(stamps.length > 0 ? { unsynced: { run: options.run, indices: stamps } } : {}) };
    let json: string;
    try {
      json = bodyJson(fields, options.codec);
    } catch (err) {
      if (isolated) return options.onUnencodable?.(batchPoints, `cannot be encoded as JSON: ${(err as Error)?.message ?? String(err)}`);
      return emitEncodable(batchPoints, stamps, now, err);
    }
    if (json.length > options.maxBytes && Buffer.byteLength(json) > options.maxBytes && batchPoints.length > 1) {
      const half = Math.ceil(batchPoints.length / 2);
      emit(batchPoints.slice(0, half), stamps.filter((i) => i < half), now, isolated);
      emit(batchPoints.slice(half), stamps.filter((i) => i >= half).map((i) => i - half), now, isolated);
      return;
    }
    if (!compresses(json, options.codec)) return deliver(sealBatch(fields, json, json));
    const level = options.codec.gzipLevel!;
    // compressOnLoop() is asked for every body: each call starts the window the next is judged by.
    const onLoop = compressOnLoop() && json.length <= ON_LOOP_MAX_CHARS;
    // The JSON's bytes come from reused buffers either way (see _text-scratch.ts).
    const body = scratch.encode(json);
    const head = batchHead(fields, body.bytes);
    if (onLoop || encoding >= MAX_ENCODING) {
      let data: Buffer | string;
      try {
        data = gzipOnThread(body.bytes, level);
      } catch {
        // zlib failed (out of memory): the body goes as plain JSON rather than not at all.
        data = json;
      } finally {
        body.release();
      }
      return deliver(sealHead(head, data));
    }
    encoding += 1;
    // While it waits and is compressed, the batch is these bytes and its head: the points and the
    // JSON text (a 100 kB string) can go now instead of living on into the old generation.
    const compressed = compressing.then(() => gzipOffThread(body.bytes, level));
    compressing = compressed.catch(() => undefined);
    deliver(
      compressed.then(
        (data) => {
          encoding -= 1;
          body.release();
          return sealHead(head, data);
        },
        () => {
          // zlib failed (out of memory): the body goes as plain JSON rather than not at all.
          encoding -= 1;
          const text = body.bytes.toString('utf8');
          body.release();
          return sealHead(head, text);
        },
      ),
    );
  };

  /** seal() where nothing may throw: from the timer (a throw would end the process) and from add() (inside the caller's write()). */
  const sealSafely = (): void => {
    try {
      seal();
    } catch (err) {
      options.onSealError?.(err);
    }
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
      if (points.length > 0 && bytes + size > options.maxBytes) sealSafely();
      if (isUnsynced) unsynced.push(points.length);
      points.push(point);
      bytes += size;
      if (points.length >= options.maxPoints || bytes >= options.maxBytes) {
        sealSafely();
      } else if (!timer) {
        timer = setTimeout(sealSafely, options.lingerMs);
        timer.unref();
      }
    },
    seal: sealSafely,
    pending: () => points.length,
    sealedAhead: () => queued,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    settled: () => chain,
  };
}
