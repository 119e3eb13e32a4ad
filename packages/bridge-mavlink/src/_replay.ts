// A .tlog replay across reloads and at its end: where it goes on after a SIGHUP, and how its end
// (or a file that cannot be read) ends the run.
import type { BridgeContext, Channel } from '@fieldbridge/core/bridge';
import type { MavlinkBridgeError } from './errors.js';
import { tlogIdentity, type TlogProgress } from './link-tlog.js';
import type { TlogSpec } from './link-url.js';

/**
 * The progress of this bridge's `.tlog` replay, kept across SIGHUP reloads (`ctx.acrossReloads`):
 * a reload that replays the same file the same way goes on after the records already delivered,
 * whose points the sink has (sent again, they would make new batches: duplicates no receiver can
 * drop); another file, the file written again, or another pace or speed starts over.
 */
export function tlogProgress(ctx: BridgeContext, spec: TlogSpec): { progress: TlogProgress; before: number } {
  const input = tlogIdentity(spec);
  const kept = ctx.acrossReloads('tlog', () => ({ input, progress: { delivered: 0 } as TlogProgress }));
  if (kept.input !== input) {
    kept.input = input;
    kept.progress = { delivered: 0 };
  }
  return { progress: kept.progress, before: kept.progress.delivered };
}

/** How a replay ends the run. */
export interface ReplayEnd {
  /** A replay's: resolves with the line to log when it ended, rejects when it failed. Undefined for a live link. */
  readonly ended?: Promise<string>;
  /** The replay reached the end of its file. */
  end(line: string): void;
  /** The replay cannot go on, or read nothing usable: the link fails and `ended` rejects. */
  failed(err: MavlinkBridgeError): void;
}

/**
 * A .tlog replayed to its end ends the run (the command delivers what is queued and exits); one
 * that cannot be read, or holds no frame, ends it as a failure (exit 1) rather than running on.
 */
export function createReplayEnd(ctx: BridgeContext, name: string, linkChannel: Channel, replay: boolean): ReplayEnd {
  let end: (line: string) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const ended = replay
    ? new Promise<string>((resolve, reject) => {
        end = resolve;
        fail = reject;
      })
    : undefined;
  // Handled by the runtime (exit 1); a caller that never reads `ended` must not see it unhandled.
  ended?.catch(() => undefined);
  return {
    ...(ended ? { ended } : {}),
    end: (line) => end(line),
    failed(err) {
      linkChannel.set('failed', err.message);
      ctx.metrics.error(name, err.code === 'OPEN_FAILED' ? 'open_failed' : 'tlog_read');
      ctx.logger.error({ channel: name, code: err.code }, `${name}: ${err.message}`);
      fail(err);
    },
  };
}
