import { setTimeout as delay } from 'node:timers/promises';
import type { BridgeContext, Channel } from '@fieldbridge/core/bridge';
import type { FrameHandler } from './_frames.js';
import type { CanFrame } from './frames/can-frame.js';
import { replayCandumpFile, type ReplayClock, type ReplayStats } from './frames/candump-replay.js';
import type { ResolvedCan } from './resolve.js';

/** What {@link replayLog} needs. */
export interface LogBusOptions {
  path: string;
  replay: ResolvedCan['replay'];
  ctx: BridgeContext;
  channel: Channel;
  handler: FrameHandler;
  signal: AbortSignal;
  /** Default: the sink's clock (`ctx.clock`) and real timers. */
  clock?: ReplayClock;
}

/** The replay's clock on the sink's corrected clock, so that `timestamps: replay` lands on server time. */
function sinkClock(ctx: BridgeContext): ReplayClock {
  return {
    now: () => ctx.clock.now(),
    sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined),
  };
}

/**
 * Replays a log (candump -L, Vector ASC or BLF) through `handler`. A log can wait, so while the sink is full
 * (`when_full: block`) the replay pauses rather than dropping. Resolves with what was read
 * (aborted when `signal` stopped it); a log that cannot be read sets the channel `failed` and
 * resolves undefined.
 */
export async function replayLog(o: LogBusOptions): Promise<ReplayStats | undefined> {
  const { ctx, channel, handler, signal } = o;
  channel.set('connected', `replaying ${o.path} ${o.replay.pace === 'fast' ? 'as fast as it is taken' : o.replay.speed === 1 ? 'at the recorded pace' : `at ${o.replay.speed}x the recorded pace`}`);
  const onFrame = (frame: CanFrame): void | Promise<void> => {
    if (!ctx.flow.blocked()) return handler.handle(frame, frame.timestampMs);
    return ctx.flow.whenOpen(signal).then(() => {
      if (!signal.aborted) handler.handle(frame, frame.timestampMs);
    });
  };
  let zoneSaid = false;
  try {
    const stats = await replayCandumpFile(o.path, {
      pace: o.replay.pace,
      speed: o.replay.speed,
      loop: o.replay.loop,
      timestamps: o.replay.timestamps,
      timeZone: o.replay.timeZone,
      ...(o.replay.channel === undefined ? {} : { channel: o.replay.channel }),
      clock: o.clock ?? sinkClock(ctx),
      signal,
      onFrame,
      onProblem: (problem) => handler.badLine(problem, o.path),
      onFormat: (format) => {
        // A Vector log's start is a wall-clock time: say which zone it is read in, unless the mapping said (once, not every loop).
        if ((format === 'asc' || format === 'blf') && !o.replay.timeZoneGiven && o.replay.timestamps === 'log' && !zoneSaid) {
          zoneSaid = true;
          const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
          ctx.logger.info({ bus: channel.name }, `${channel.name}: ${o.path} is a Vector ${format.toUpperCase()} log, whose start is a wall-clock time without a zone: read in this machine's (${zone}); replay.time_zone names the zone it was written in`);
        }
      },
    });
    const other = stats.otherChannels;
    if (o.replay.channel !== undefined && other && stats.frames === 0) {
      ctx.problems.report(`can.${channel.name}.channel`, `${channel.name}: no frame of ${o.path} is on channel ${o.replay.channel} (replay.channel); its ${other.frames.toLocaleString('en-US')} frames are on ${other.names.join(', ')}`, { bus: channel.name });
    }
    return stats;
  } catch (err) {
    channel.set('failed', (err as Error).message);
    ctx.metrics.error(channel.name, 'log_read');
    ctx.logger.error({ err, bus: channel.name }, `${channel.name}: ${(err as Error).message}`);
    return undefined;
  }
}

/** The line `ended` resolves with: what the replay read. */
export function describeReplay(path: string, stats: ReplayStats): string {
  const bad = stats.malformed + stats.unsupported;
  const format = stats.format === 'asc' ? ' (Vector ASC)' : stats.format === 'blf' ? ' (Vector BLF)' : '';
  const unit = stats.format === 'blf' ? 'object' : 'line';
  const other = stats.otherChannels;
  const left = other ? `, ${other.frames.toLocaleString('en-US')} frames of other channels (${other.names.join(', ')}) left out` : '';
  return `${path}${format} replayed to its end: ${stats.frames.toLocaleString('en-US')} frame${stats.frames === 1 ? '' : 's'} from ${stats.lines.toLocaleString('en-US')} ${unit}s${bad > 0 ? `, ${bad} ${unit}${bad === 1 ? '' : 's'} skipped` : ''}${left}`;
}
