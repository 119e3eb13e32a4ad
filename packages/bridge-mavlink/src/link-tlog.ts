import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { access, constants } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { MavlinkBridgeError } from './errors.js';
import type { LinkHandlers, LinkStats, MavlinkLink } from './link.js';
import type { TlogSpec } from './link-url.js';
import { createTlogSplitter } from './tlog.js';

/** Time for paced replay, injected so that tests need no real waiting. */
export interface ReplayTimer {
  /** ms, any origin (default `performance.now`). */
  now(): number;
  /** Resolves after `ms` (default: a real timer). */
  sleep(ms: number): Promise<void>;
}

/**
 * How far a replay of one file got, kept by its caller across a restart of the same replay (a
 * SIGHUP reload): a replay given it passes over the records delivered before (delivering them
 * again would send their points in new batches, which no receiver can drop) and keeps pacing on
 * the same timeline.
 */
export interface TlogProgress {
  /** Records delivered so far; counted by the replay. */
  delivered: number;
  /** With `pace=recorded`: the recorded time (µs) and the timer's time (ms) the pacing counts from. */
  anchor?: { recordedUs: number; at: number };
}

/** Options of {@link createTlogLink}. */
export interface TlogLinkOptions {
  timer?: ReplayTimer;
  /** Bytes read from the file at a time. Default 65,536. */
  readChunkBytes?: number;
  /** Where an earlier replay of the same file got to; default from the start. */
  progress?: TlogProgress;
}

/**
 * What identifies the replay of `spec` as the file is now (its absolute path, size, time of last
 * change and inode: a file written again differs) and how it is paced: a reload that replays the
 * same goes on with its {@link TlogProgress}.
 */
export function tlogIdentity(spec: TlogSpec): string {
  let file: unknown[] = [];
  try {
    const info = statSync(spec.path);
    file = [info.size, info.mtimeMs, info.ino];
  } catch {
    // A file that cannot be read fails at start; its identity only needs to differ from a readable one.
  }
  return JSON.stringify([resolve(spec.path), ...file, spec.pace, spec.speed]);
}

/** A `.tlog` replay link; `done` resolves when the replay has delivered everything (or stopped). */
export interface TlogLink extends MavlinkLink {
  readonly done: Promise<void>;
  /** Bytes of the file that were not part of a record (a damaged file). */
  skipped(): number;
}

const realTimer: ReplayTimer = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * Replays a `.tlog` file: each record's frame is delivered as a datagram with its recorded time
 * (`recordedAtMs`), so a reader places messages where they were, not at replay time. `fast`
 * delivers as fast as the consumer takes them (yielding to the event loop after each read);
 * `recorded` waits between records as long as the recording did (divided by `speed`).
 */
export function createTlogLink(spec: TlogSpec, options: TlogLinkOptions = {}): TlogLink {
  const timer = options.timer ?? realTimer;
  const progress = options.progress ?? { delivered: 0 };
  const peer = `tlog:${spec.path}`;
  const stats: LinkStats = { chunks: 0, bytes: 0, dropped: 0, errors: 0 };
  let skipped = 0;
  let stopped = false;
  let paused = false;
  let resumed: (() => void) | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let stop!: () => void;
  // Resolves on close, so that a paced wait ends at once instead of sleeping on.
  const stopping = new Promise<void>((resolve) => (stop = resolve));
  let reading: ReturnType<typeof createReadStream> | undefined;
  let started = false;

  const whenResumed = (): Promise<void> => new Promise((resolve) => (resumed = resolve));

  async function replay(handlers: LinkHandlers): Promise<void> {
    const splitter = createTlogSplitter();
    // Records an earlier replay of the file delivered: passed over, unpaced.
    let skip = progress.delivered;
    let first = skip > 0 ? progress.anchor : undefined;
    reading = createReadStream(spec.path, { highWaterMark: options.readChunkBytes ?? 65_536 });
    for await (const chunk of reading as AsyncIterable<Buffer>) {
      const { records, skipped: s } = splitter.push(chunk);
      skipped += s;
      for (const record of records) {
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        while (paused && !stopped) await whenResumed();
        if (stopped) return;
        if (spec.pace === 'recorded') {
          first ??= progress.anchor = { recordedUs: record.timestampUs, at: timer.now() };
          const wait = first.at + (record.timestampUs - first.recordedUs) / 1000 / spec.speed - timer.now();
          if (wait > 0) await Promise.race([timer.sleep(wait), stopping]);
          if (stopped) return;
        }
        stats.chunks += 1;
        stats.bytes += record.frame.length;
        progress.delivered += 1;
        handlers.data({ bytes: Buffer.from(record.frame.buffer, record.frame.byteOffset, record.frame.length), peer, datagram: true, recordedAtMs: record.timestampUs / 1000 });
      }
      if (spec.pace === 'fast') await yieldToLoop();
    }
    skipped += splitter.end().skipped;
  }

  return {
    spec,
    done,
    skipped: () => skipped,
    async start(handlers) {
      started = true;
      try {
        await access(spec.path, constants.R_OK);
      } catch (err) {
        finish();
        throw new MavlinkBridgeError('OPEN_FAILED', `cannot read the tlog file ${spec.path}: ${(err as Error).message}`, { cause: err });
      }
      handlers.state?.('open');
      replay(handlers).then(
        () => {
          if (!stopped) handlers.state?.('ended', skipped > 0 ? `${skipped.toLocaleString('en-US')} bytes that were not .tlog records skipped` : undefined);
          finish();
        },
        (err: unknown) => {
          stats.errors += 1;
          handlers.state?.('closed', new MavlinkBridgeError('TLOG_READ', `reading ${spec.path} failed: ${(err as Error).message}`, { cause: err }).message);
          finish();
        },
      );
    },
    send: async () => 0,
    peers: () => [],
    localAddress: () => undefined,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      resumed?.();
    },
    stats: () => ({ ...stats }),
    async close() {
      stopped = true;
      stop();
      resumed?.();
      reading?.destroy();
      if (!started) finish();
      await done;
    },
  };
}
