import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { CanBridgeError } from '../errors.js';
import { boundedLines } from './_lines.js';
import type { CanFrame } from './can-frame.js';
import type { CandumpLineResult } from './candump-line.js';
import { BLF_SIGNATURE, readBlfRecords } from './blf-reader.js';
import { isMf4, readMf4Records } from './mf4/reader.js';
import { createLogLineParser, MAX_LOG_LINE, type LogFormat, type TextLogFormat } from './log-format.js';
import { addReplayStats, noReplayStats, type ReplayStats } from './replay-stats.js';

export { addReplayStats, noReplayStats, type ReplayStats } from './replay-stats.js';

/** The time a replay reads and waits on; injected so that tests run without real waiting. */
export interface ReplayClock {
  /** ms since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `Date.now()` and timers. */
export const systemReplayClock: ReplayClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined),
};

/** A log line that gave no frame. */
export interface ReplayProblem {
  kind: 'malformed' | 'unsupported';
  message: string;
  /** 1-based line number in the log. */
  line: number;
}

/** Options of {@link replayCandump}. */
export interface ReplayOptions {
  /** `fast` (default): frames as fast as `onFrame` takes them. `recorded`: at the pace of the log's timestamps. */
  pace?: 'fast' | 'recorded';
  /** With `recorded` pace, how many times faster than recorded (2 = twice as fast). Default 1. */
  speed?: number;
  /**
   * `log` (default): frames keep the log's timestamps. `replay`: timestamps move onto the
   * replay's clock when played: at the recorded pace the first frame at the moment the replay
   * started, gaps kept (scaled by `speed`); as fast as possible each frame at the moment it goes.
   */
  timestamps?: 'log' | 'replay';
  /** Default {@link systemReplayClock}. */
  clock?: ReplayClock;
  /** Text logs: `auto` (default), a `candump -L`, Vector ASC or PEAK TRC log, told by the first line. */
  format?: TextLogFormat | 'auto';
  /**
   * Only frames logged on this channel: the interface name in a candump log (`can1`), the channel
   * number in a Vector log, the bus number in a PEAK TRC or MDF4 log (`2`). Frames of other channels are
   * counted in the stats, not handed on.
   */
  channel?: string;
  /**
   * Only frames it accepts (the mapping's id filters, as the kernel applies them to a bus: see
   * `createIdFilter`), of the channel read. The others are counted in the stats (`filtered`), not
   * handed on, nor counted by `resume`.
   */
  accept?(frame: CanFrame): boolean;
  /** Vector ASC and BLF, PEAK TRC: the zone of the log's start time; `candump -tA`: of its dates (`local`, `UTC`, `Europe/Berlin`, `+02:00`). Default `local`. */
  timeZone?: string;
  /** Stops the replay (it then resolves with what it did so far). */
  signal?: AbortSignal;
  /** Where an earlier replay of the same log got to, to go on from there (a reload): see {@link ReplayResume}. */
  resume?: ReplayResume;
  /** Receives every frame; a returned promise is awaited before the next one (flow control). */
  onFrame(frame: CanFrame): void | Promise<void>;
  /** Told once, when the first record shows the log's format. */
  onFormat?(format: LogFormat): void;
  /** Told once, at the first frame of a candump log stamped with local dates (`candump -tA`), which are read in `timeZone`. */
  onWallClock?(): void;
  /** Receives every line that gave no frame; the replay goes on. */
  onProblem?(problem: ReplayProblem): void;
}

/**
 * Where a replay goes on from, kept by its caller across a restart of the same replay (a SIGHUP
 * reload), so that the frames an earlier replay handed on are not handed on again (the sink would
 * send them in new batches, which receivers cannot tell from new data). The caller sets `skip` to
 * the frames it took before; the replay counts it down, and keeps `anchor` up to date.
 */
export interface ReplayResume {
  /** Frames (of the channel read) still to pass over, unpaced and not handed on. */
  skip: number;
  /**
   * Set at each pass's first frame: the clock time and logged time its pacing counts from. A pass
   * that resumes keeps the one its earlier replay set, so that the recorded timeline (and
   * `timestamps: replay`) goes on where it was rather than starting again at the resumed frame.
   */
  anchor?: { wallMs: number; loggedMs: number };
}

function check(options: ReplayOptions): void {
  if (options.speed !== undefined && !(options.speed > 0 && Number.isFinite(options.speed))) {
    throw new RangeError(`replay speed must be a positive number, got ${options.speed}`);
  }
}

/** One record of a log (a text line, a BLF object) read: a frame, a problem, or undefined for one that holds no frame. */
export type LogRecord = CandumpLineResult | undefined;

/**
 * Replays the lines of a `candump -L` log (see `parseCandumpLine`), a Vector ASC log (see
 * `createAscReader`) or a PEAK TRC log (see `createTrcReader`). Malformed lines are counted and
 * reported to `onProblem`, never fatal. Resolves when the lines end or `signal` aborts.
 */
export async function replayCandump(lines: Iterable<string> | AsyncIterable<string>, options: ReplayOptions): Promise<ReplayStats> {
  // A log without a date counts its times from 0: only a replay onto the clock can use them.
  const parser = createLogLineParser({
    format: options.format ?? 'auto',
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    requireDate: options.timestamps !== 'replay',
    ...(options.onWallClock ? { onWallClock: options.onWallClock } : {}),
  });
  return replayRecords(lines, (line) => parser.parse(line), parser.format, options);
}

/**
 * The replay itself, over any kind of record: `read` turns each into a frame, a problem or
 * nothing; frames are paced, moved onto the clock and handed on as `options` say.
 */
export async function replayRecords<T>(records: Iterable<T> | AsyncIterable<T>, read: (record: T) => LogRecord, format: () => LogFormat | undefined, options: ReplayOptions): Promise<ReplayStats> {
  check(options);
  const clock = options.clock ?? systemReplayClock;
  const recorded = options.pace === 'recorded';
  const speed = options.speed ?? 1;
  const shift = options.timestamps === 'replay';
  const stats: ReplayStats = { lines: 0, frames: 0, malformed: 0, unsupported: 0, aborted: false };
  let wallStart = 0;
  for await (const record of records) {
    if (options.signal?.aborted) {
      stats.aborted = true;
      break;
    }
    stats.lines++;
    const parsed = read(record);
    if (stats.format === undefined) {
      stats.format = format();
      if (stats.format !== undefined) options.onFormat?.(stats.format);
    }
    if (parsed === undefined) continue;
    if (!parsed.ok) {
      stats[parsed.kind]++;
      options.onProblem?.({ kind: parsed.kind, message: parsed.message, line: stats.lines });
      continue;
    }
    const frame = parsed.frame;
    if (options.channel !== undefined && frame.interface !== options.channel) {
      const other = (stats.otherChannels ??= { frames: 0, names: [] });
      other.frames++;
      const name = frame.interface ?? '(none)';
      if (other.names.length < 16 && !other.names.includes(name)) other.names.push(name);
      continue;
    }
    if (options.accept && !options.accept(frame)) {
      stats.filtered = (stats.filtered ?? 0) + 1;
      continue;
    }
    const logged = frame.timestampMs;
    const resume = options.resume;
    if (stats.firstTimestampMs === undefined) {
      stats.firstTimestampMs = logged;
      if (resume && resume.skip > 0 && resume.anchor) wallStart = resume.anchor.wallMs + (logged - resume.anchor.loggedMs) / speed;
      else {
        wallStart = clock.now();
        if (resume) resume.anchor = { wallMs: wallStart, loggedMs: logged };
      }
    }
    stats.lastTimestampMs = logged;
    if (resume && resume.skip > 0) {
      resume.skip--;
      stats.resumed = (stats.resumed ?? 0) + 1;
      continue;
    }
    const due = wallStart + (logged - stats.firstTimestampMs) / speed;
    if (recorded) {
      const wait = due - clock.now();
      if (wait > 0) await clock.sleep(wait, options.signal);
      if (options.signal?.aborted) {
        stats.aborted = true;
        break;
      }
    }
    if (shift) {
      // When it is played: as fast as possible that is now, not the recorded gap ahead of the clock.
      frame.timestampMs = recorded ? due : clock.now();
      frame.timestampSource = 'replay';
      frame.loggedMs = logged;
    }
    stats.frames++;
    const pending = options.onFrame(frame);
    if (pending) await pending;
  }
  return stats;
}

/** The binary format a file's first bytes name: Vector BLF (`LOGG`), ASAM MDF (`MDF     `), or undefined for text. */
async function binaryFormat(path: string): Promise<'blf' | 'mf4' | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead >= 4 && head.subarray(0, 4).equals(BLF_SIGNATURE)) return 'blf';
    return bytesRead === 8 && isMf4(head) ? 'mf4' : undefined;
  } finally {
    await file.close();
  }
}

/** Options of {@link replayCandumpFile}. */
export interface ReplayFileOptions extends ReplayOptions {
  /**
   * Start again at the end, until `signal` aborts. Each pass continues the timeline: with
   * `timestamps: 'log'` its frames are shifted by the passes before, so time never goes back.
   */
  loop?: boolean;
}

/**
 * Replays a log file: `candump -L`, Vector ASC or PEAK TRC (text, told by the first line), Vector
 * BLF or ASAM MDF 4 (binary, told by their signatures), streaming it (lines, objects and data
 * blocks are bounded; the file is never held whole). Throws a {@link CanBridgeError}
 * (`LOG_READ_FAILED`) when the file cannot be read.
 */
export async function replayCandumpFile(path: string, options: ReplayFileOptions): Promise<ReplayStats> {
  check(options);
  let binary: 'blf' | 'mf4' | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    binary = await binaryFormat(path);
  } catch (err) {
    throw new CanBridgeError('LOG_READ_FAILED', `cannot read the log ${path}: ${(err as Error).message}; check the path after file: in the interface`, { cause: err });
  }
  const readerOptions = { ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }), requireDate: options.timestamps !== 'replay' };
  /** One pass over the file: a stream of its bytes, or (MDF, a graph of blocks read by offset) the file itself. */
  const replayOnce = (passOptions: ReplayOptions, opened: (stream: ReadStream) => void): Promise<ReplayStats> => {
    if (binary === 'mf4') return replayRecords(readMf4Records(path, readerOptions), (record) => record, () => 'mf4', passOptions);
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    opened(stream);
    if (binary === 'blf') return replayRecords(readBlfRecords(stream, readerOptions), (record) => record, () => 'blf', passOptions);
    return replayCandump(boundedLines(stream, MAX_LOG_LINE), passOptions);
  };
  const total = noReplayStats();
  let offset = 0;
  for (;;) {
    const passOffset = offset;
    let stream: ReadStream | undefined;
    const onFrame = options.loop && options.timestamps !== 'replay' && passOffset !== 0
      ? (frame: CanFrame) => {
          frame.timestampMs += passOffset;
          return options.onFrame(frame);
        }
      : options.onFrame;
    let stats: ReplayStats;
    try {
      stats = await replayOnce({ ...options, onFrame }, (opened) => (stream = opened));
    } catch (err) {
      if (err instanceof CanBridgeError) throw err;
      if ((err as NodeJS.ErrnoException).code === undefined) throw err;
      throw new CanBridgeError('LOG_READ_FAILED', `cannot read the log ${path}: ${(err as Error).message}`, { cause: err });
    } finally {
      stream?.destroy();
    }
    addReplayStats(total, stats, passOffset);
    // A log without frames would loop without end doing nothing.
    if (!options.loop || stats.aborted || stats.frames + (stats.resumed ?? 0) === 0 || options.signal?.aborted) {
      total.aborted ||= options.signal?.aborted ?? false;
      return total;
    }
    // The next pass starts 1 ms after this one's last frame.
    offset += (stats.lastTimestampMs ?? 0) - (stats.firstTimestampMs ?? 0) + 1;
  }
}
