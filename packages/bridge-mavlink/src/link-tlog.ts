import { createReadStream } from 'node:fs';
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

/** Options of {@link createTlogLink}. */
export interface TlogLinkOptions {
  timer?: ReplayTimer;
  /** Bytes read from the file at a time. Default 65,536. */
  readChunkBytes?: number;
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
    let first: { recordedUs: number; at: number } | undefined;
    reading = createReadStream(spec.path, { highWaterMark: options.readChunkBytes ?? 65_536 });
    for await (const chunk of reading as AsyncIterable<Buffer>) {
      const { records, skipped: s } = splitter.push(chunk);
      skipped += s;
      for (const record of records) {
        while (paused && !stopped) await whenResumed();
        if (stopped) return;
        if (spec.pace === 'recorded') {
          first ??= { recordedUs: record.timestampUs, at: timer.now() };
          const wait = first.at + (record.timestampUs - first.recordedUs) / 1000 / spec.speed - timer.now();
          if (wait > 0) await Promise.race([timer.sleep(wait), stopping]);
          if (stopped) return;
        }
        stats.chunks += 1;
        stats.bytes += record.frame.length;
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
          if (!stopped) handlers.state?.('ended');
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
