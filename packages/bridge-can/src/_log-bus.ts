import { setTimeout as delay } from 'node:timers/promises';
import type { BridgeContext, Channel } from '@fieldbridge/core/bridge';
import type { FrameHandler } from './_frames.js';
import type { CanFrame } from './frames/can-frame.js';
import { addReplayStats, noReplayStats, replayCandumpFile, type ReplayClock, type ReplayResume, type ReplayStats } from './frames/candump-replay.js';
import { createIdFilter } from './frames/id-filter.js';
import { LOG_FORMAT_NAMES, recordUnit, WALL_CLOCK_FORMATS, type LogFormat } from './frames/log-format.js';
import { createCaptureIndex } from './log-duplicates.js';
import { logIdentity, logSource } from './log-files.js';
import { undatedLogProblem } from './log-start.js';
import type { ResolvedCan } from './resolve.js';

/** What {@link replayLog} needs. */
export interface LogBusOptions {
  path: string;
  replay: ResolvedCan['replay'];
  /** The mapping's id filters: a log's frames pass them as a bus's pass the kernel's. Default none. */
  filters?: ResolvedCan['filters'];
  ctx: BridgeContext;
  channel: Channel;
  handler: FrameHandler;
  signal: AbortSignal;
  /** Default: the sink's clock (`ctx.clock`) and real timers. */
  clock?: ReplayClock;
  /** Where an earlier replay of the same logs got to (see {@link replayProgress}); default: from the start. */
  progress?: ReplayProgress;
}

/** How far the replay of one input got: frames taken (handed to the decoder), and where its pacing counts from. */
export interface ReplayProgress {
  /** The logs (and the replay options that decide which frames they give, and when): see {@link replayProgress}. */
  input: string;
  taken: number;
  resume: ReplayResume;
}

/**
 * The progress of this bus's replay, kept across SIGHUP reloads (`ctx.acrossReloads`): a reload
 * that replays the same logs the same way goes on after the frames already taken, which the sink
 * has (sending them again would make new batches: duplicates no receiver can drop); one with
 * other logs (or the same written again), or other replay options, starts over.
 */
export function replayProgress(ctx: BridgeContext, path: string, replay: ResolvedCan['replay'], filters: ResolvedCan['filters'] = []): ReplayProgress {
  const { pace, speed, loop, timestamps, timeZone, channel } = replay;
  const input = JSON.stringify([logIdentity(path), pace, speed, loop, timestamps, timeZone, channel ?? null, filters]);
  const kept = ctx.acrossReloads<ReplayProgress>('replay', () => ({ input, taken: 0, resume: { skip: 0 } }));
  if (kept.input !== input) {
    kept.input = input;
    kept.taken = 0;
    kept.resume = { skip: 0 };
  }
  return kept;
}

/** A log whose frames start more than this ahead of the clock has a wrong start time, most likely. */
const FUTURE_MS = 24 * 3_600_000;

/** The replay's clock on the sink's corrected clock, so that `timestamps: replay` lands on server time. */
function sinkClock(ctx: BridgeContext): ReplayClock {
  return {
    now: () => ctx.clock.now(),
    sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined),
  };
}

/** What a replay read; `logs` counts the logs of a folder. */
export type LogReplayStats = ReplayStats & {
  logs?: number;
  /** Logs of a folder passed over, read with their own times, which are not dates (see `undatedLogProblem`). */
  passedOver?: number;
  /** Logs of a folder passed over as the same capture as one read before them (an export of it in another format). */
  duplicates?: number;
};

/**
 * Replays a log (candump -L, Vector ASC or BLF, PEAK TRC, ASAM MDF4), or a folder of them in name order, through
 * `handler`. A log can wait, so while the sink is full (`when_full: block`) the replay pauses
 * rather than dropping. Resolves with what was read (aborted when `signal` stopped it); a log
 * that cannot be read sets the channel `failed` and resolves undefined (in a folder, it is
 * reported and the others are read).
 */
export async function replayLog(o: LogBusOptions): Promise<LogReplayStats | undefined> {
  const { ctx, channel, handler, signal } = o;
  const progress = o.progress ?? { input: '', taken: 0, resume: { skip: 0 } };
  progress.resume.skip = progress.taken;
  const goingOn = progress.taken > 0 ? `, going on after the ${progress.taken.toLocaleString('en-US')} frames taken before the reload` : '';
  if (goingOn) ctx.logger.info({ bus: channel.name, frames: progress.taken }, `${channel.name}: the same log as before the reload${goingOn}`);
  channel.set('connected', `replaying ${o.path} ${o.replay.pace === 'fast' ? 'as fast as it is taken' : o.replay.speed === 1 ? 'at the recorded pace' : `at ${o.replay.speed}x the recorded pace`}${goingOn}`);
  // Counted when the decoder takes it (not when a stop ends the wait of a full spool): a reload goes on from there.
  const take = (frame: CanFrame): void => {
    progress.taken++;
    handler.handle(frame, frame.timestampMs);
  };
  const onFrame = (frame: CanFrame): void | Promise<void> => {
    if (!ctx.flow.blocked()) return take(frame);
    return ctx.flow.whenOpen(signal).then(() => {
      if (!signal.aborted) take(frame);
    });
  };
  let zoneSaid = false;
  /** Says which zone a log whose times are wall-clock times without one is read in, unless the mapping said (once, not every loop). */
  const sayZone = (file: string, what: string): void => {
    if (zoneSaid || o.replay.timeZoneGiven || o.replay.timestamps !== 'log') return;
    zoneSaid = true;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    ctx.logger.info({ bus: channel.name }, `${channel.name}: ${file} is ${what} without a zone: read in this machine's (${zone}); replay.time_zone names the zone it was written in`);
  };
  // A Vector or PEAK log's start is a wall-clock time; candump -tA prints the recording machine's local time.
  const onFormat = (file: string) => (format: LogFormat): void => {
    if (WALL_CLOCK_FORMATS.has(format)) sayZone(file, `a ${LOG_FORMAT_NAMES[format]} log, whose start is a wall-clock time`);
  };
  const onWallClock = (file: string) => (): void => sayZone(file, 'candump -tA output, whose dates are wall-clock times');
  /** Says once per log when its times run ahead of the clock (a wrong start written in it, such as python-can 4.1's TRC writer makes). */
  const futureCheck = (file: string) => {
    let checked = o.replay.timestamps !== 'log';
    return (frame: CanFrame): void | Promise<void> => {
      if (!checked) {
        checked = true;
        if (frame.timestampMs > ctx.clock.now() + FUTURE_MS) {
          const message = `${channel.name}: ${file} stamps its frames from ${new Date(frame.timestampMs).toISOString()} on, ahead of this machine's clock: a wrong start time in the log? replay.timestamps: replay moves the log onto the clock`;
          ctx.problems.report(`can.${channel.name}.future.${file}`, message, { bus: channel.name });
        }
      }
      return onFrame(frame);
    };
  };
  const accept = createIdFilter(o.filters ?? []);
  const replayOne = (file: string): Promise<ReplayStats> =>
    replayCandumpFile(file, {
      pace: o.replay.pace,
      speed: o.replay.speed,
      loop: o.replay.loop,
      timestamps: o.replay.timestamps,
      timeZone: o.replay.timeZone,
      ...(o.replay.channel === undefined ? {} : { channel: o.replay.channel }),
      ...(accept ? { accept } : {}),
      clock: o.clock ?? sinkClock(ctx),
      signal,
      resume: progress.resume,
      onFrame: futureCheck(file),
      onProblem: (problem) => handler.badLine(problem, file),
      onFormat: onFormat(file),
      onWallClock: onWallClock(file),
    });
  const source = logSource(o.path);
  const total: LogReplayStats = noReplayStats();
  if (source.kind !== 'folder') {
    try {
      addReplayStats(total, await replayOne(o.path));
    } catch (err) {
      channel.set('failed', (err as Error).message);
      ctx.metrics.error(channel.name, 'log_read');
      ctx.logger.error({ err, bus: channel.name }, `${channel.name}: ${(err as Error).message}`);
      return undefined;
    }
  } else {
    total.logs = source.files.length;
    const captures = createCaptureIndex(o.replay.timeZone);
    // A folder's logs one after another, in name order; one that cannot be read is reported and passed over.
    for (const file of source.files) {
      // As --check and a run refuse a single such log: one whose times are not dates would send nothing.
      const undated = o.replay.timestamps === 'log' ? undatedLogProblem(file, o.replay.timeZone) : undefined;
      if (undated) {
        total.passedOver = (total.passedOver ?? 0) + 1;
        ctx.metrics.error(channel.name, 'log_read');
        ctx.problems.report(`can.${channel.name}.undated.${file}`, `${channel.name}: ${undated}; passed over, the other logs of ${o.path} are read`, { bus: channel.name });
        continue;
      }
      // A capture kept beside its export (drive.log and drive.asc) would send every point twice.
      const original = await captures.earlier(file);
      if (original !== undefined) {
        total.duplicates = (total.duplicates ?? 0) + 1;
        ctx.problems.report(`can.${channel.name}.duplicate.${file}`, `${channel.name}: ${file} begins with the same frames as ${original}, read before it (the same capture in another format?): passed over, so that its points are not sent twice; move one of them out of ${o.path} if they are in fact two captures`, { bus: channel.name });
        continue;
      }
      try {
        addReplayStats(total, await replayOne(file));
      } catch (err) {
        ctx.metrics.error(channel.name, 'log_read');
        ctx.problems.report(`can.${channel.name}.log_read`, `${channel.name}: ${(err as Error).message}; the other logs of ${o.path} are read`, { bus: channel.name });
      }
      if (total.aborted || signal.aborted) break;
    }
  }
  const other = total.otherChannels;
  if (o.replay.channel !== undefined && other && total.frames + (total.resumed ?? 0) === 0) {
    ctx.problems.report(`can.${channel.name}.channel`, `${channel.name}: no frame of ${o.path} is on channel ${o.replay.channel} (replay.channel); its ${other.frames.toLocaleString('en-US')} frames are on ${other.names.join(', ')}`, { bus: channel.name });
  }
  return total;
}

/** The line `ended` resolves with: what the replay read. */
export function describeReplay(path: string, stats: LogReplayStats): string {
  const bad = stats.malformed + stats.unsupported;
  const format = stats.logs !== undefined ? ` (${stats.logs} log${stats.logs === 1 ? '' : 's'})` : stats.format !== undefined && stats.format !== 'candump' ? ` (${LOG_FORMAT_NAMES[stats.format]})` : '';
  const unit = stats.logs !== undefined ? 'record' : recordUnit(stats.format);
  const other = stats.otherChannels;
  const left = `${other ? `, ${other.frames.toLocaleString('en-US')} frames of other channels (${other.names.join(', ')}) left out` : ''}${stats.filtered ? `, ${stats.filtered.toLocaleString('en-US')} frame${stats.filtered === 1 ? '' : 's'} filtered out (filters)` : ''}`;
  const frames = stats.frames + (stats.resumed ?? 0);
  const resumed = stats.resumed ? ` (${stats.resumed.toLocaleString('en-US')} of them taken before a reload)` : '';
  const over = `${stats.passedOver ? `, ${stats.passedOver} log${stats.passedOver === 1 ? '' : 's'} passed over (times that are not dates)` : ''}${stats.duplicates ? `, ${stats.duplicates} log${stats.duplicates === 1 ? '' : 's'} passed over (the same frames as a log before)` : ''}`;
  return `${path}${format} replayed to its end: ${frames.toLocaleString('en-US')} frame${frames === 1 ? '' : 's'}${resumed} from ${stats.lines.toLocaleString('en-US')} ${unit}s${bad > 0 ? `, ${bad} ${unit}${bad === 1 ? '' : 's'} skipped` : ''}${over}${left}`;
}
