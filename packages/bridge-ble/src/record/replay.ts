import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Advert } from '../advert/advert.js';
import { readRecords } from './record-reader.js';

/** Options of {@link replayRecords}. */
export interface ReplayOptions {
  /** The record file, or a function giving a fresh stream of it (called once per pass). */
  source: string | (() => Readable);
  /** `recorded` (default) waits the recorded gap between adverts; `fast` sends them as fast as `onAdvert` takes them. */
  pace?: 'recorded' | 'fast';
  /** recorded pace: playback speed, 2 = twice as fast. Default 1. */
  speed?: number;
  /** recorded pace: longest single wait, in ms, so a file with an overnight gap does not stall. Default 60 000. */
  maxGapMs?: number;
  /**
   * `shifted` (default): times move onto the clock, never ahead of it: at the recorded pace the
   * first advert of each pass is stamped `now()` and the others by the gaps as played (divided
   * by `speed`, capped by `maxGapMs`); as fast as possible each advert is stamped `now()` as it
   * goes. `recorded`: the file's times as they are (for backfilling history).
   */
  timestamps?: 'shifted' | 'recorded';
  /** Start over at the end of the file, until aborted. Default false. */
  loop?: boolean;
  /**
   * A pass after the first starts (`loop`): what remembers the adverts already played must
   * forget them, or the recording's own repeats look like replays (BTHome's encryption counters).
   */
  onPass?(pass: number): void;
  /** Receives each advert; a returned promise is awaited (flow control). */
  onAdvert(advert: Advert): void | Promise<void>;
  /** A line that gave no advert; reading goes on. */
  onProblem?(line: number, reason: string): void;
  /** Epoch ms clock. Default `Date.now`. */
  now?(): number;
  /** Waits `ms` (injected in tests). Default a timer that ends early, without error, on abort. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  signal?: AbortSignal;
}

/** What a replay went through. */
export interface ReplayResult {
  adverts: number;
  malformed: number;
  passes: number;
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    // An abort ends the wait early; the replay loop sees the signal and stops.
    if ((err as Error).name !== 'AbortError') throw err;
  }
}

/**
 * Replays a record file as if an adapter heard it: adverts in file order, at the recorded pace
 * (or as fast as possible), stamped as `timestamps` says, optionally looping. Malformed lines
 * are counted and reported, never fatal. Resolves when the file ends (or, looping, when
 * `signal` aborts); rejects only when the file cannot be read.
 */
export async function replayRecords(options: ReplayOptions): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const speed = options.speed ?? 1;
  const maxGapMs = options.maxGapMs ?? 60_000;
  const recordedPace = (options.pace ?? 'recorded') === 'recorded';
  const result: ReplayResult = { adverts: 0, malformed: 0, passes: 0 };
  const aborted = (): boolean => options.signal?.aborted === true;
  do {
    result.passes += 1;
    if (result.passes > 1) options.onPass?.(result.passes);
    const passStart = now();
    let previous: number | undefined;
    /** Ms of recorded gaps waited so far in this pass (each scaled by `speed` and capped). */
    let played = 0;
    const source = typeof options.source === 'string' ? options.source : options.source();
    for await (const entry of readRecords(source, undefined, options.signal)) {
      if (aborted()) break;
      if ('problem' in entry) {
        result.malformed += 1;
        options.onProblem?.(entry.line, entry.problem);
        continue;
      }
      const advert = entry.advert;
      if (recordedPace && previous !== undefined) {
        const gap = Math.min(maxGapMs, Math.max(0, (advert.t - previous) / speed));
        if (gap > 0) await sleep(gap, options.signal);
        played += gap;
        if (aborted()) break;
      }
      previous = advert.t;
      // Stamped when it is played: the recorded gaps as waited (shortened by `speed`, capped), or
      // the clock as fast as possible. The recorded gaps themselves would stamp adverts ahead of
      // the clock, and the next pass behind them.
      if ((options.timestamps ?? 'shifted') === 'shifted') advert.t = recordedPace ? passStart + played : now();
      result.adverts += 1;
      await options.onAdvert(advert);
    }
    if (previous === undefined) break;
  } while (options.loop && !aborted());
  return result;
}
