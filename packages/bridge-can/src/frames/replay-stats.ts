import type { LogFormat } from './log-format.js';

/** What a replay did. */
export interface ReplayStats {
  lines: number;
  /** Frames handed on, and (`resumed`) passed over because an earlier replay had handed them on. */
  frames: number;
  resumed?: number;
  malformed: number;
  unsupported: number;
  /** With `channel`: frames of other channels left out, and up to 16 of those channels' names. */
  otherChannels?: { frames: number; names: string[] };
  /** With `accept`: frames of the channel read that it refused. */
  filtered?: number;
  /** The format the log turned out to be in (undefined for a log without lines). */
  format?: LogFormat;
  /** The log's first and last frame timestamps (ms), when it had frames. */
  firstTimestampMs?: number;
  lastTimestampMs?: number;
  aborted: boolean;
}

/** Empty totals, for {@link addReplayStats}. */
export function noReplayStats(): ReplayStats {
  return { lines: 0, frames: 0, malformed: 0, unsupported: 0, aborted: false };
}

/** Adds one replay's stats (a loop's pass, a folder's log) to `total`; its times moved by `offsetMs`. */
export function addReplayStats(total: ReplayStats, stats: ReplayStats, offsetMs = 0): void {
  total.lines += stats.lines;
  total.frames += stats.frames;
  if (stats.resumed) total.resumed = (total.resumed ?? 0) + stats.resumed;
  total.malformed += stats.malformed;
  total.unsupported += stats.unsupported;
  total.format ??= stats.format;
  if (stats.filtered) total.filtered = (total.filtered ?? 0) + stats.filtered;
  if (stats.otherChannels) {
    const other = (total.otherChannels ??= { frames: 0, names: [] });
    other.frames += stats.otherChannels.frames;
    for (const name of stats.otherChannels.names) if (other.names.length < 16 && !other.names.includes(name)) other.names.push(name);
  }
  total.firstTimestampMs ??= stats.firstTimestampMs;
  if (stats.lastTimestampMs !== undefined) total.lastTimestampMs = stats.lastTimestampMs + offsetMs;
  total.aborted = stats.aborted;
}
