import { durationOption, listenWindow, SCAN_DURATION, formatDuration, type BridgeCliIo, type BridgeCliOption } from '@fieldbridge/core/bridge';
import { createBusSurvey, type BusSurvey } from './bus-survey.js';
import type { CanConfig } from './config.js';
import { loadDbcFiles } from './dbc/load-dbc.js';
import { planCan } from './decode-plan.js';
import { replayCandumpFile, type ReplayStats } from './frames/candump-replay.js';
import { createIdFilter } from './frames/id-filter.js';
import { busFilters } from './transport-filters.js';
import { LOG_FORMAT_NAMES, recordUnit } from './frames/log-format.js';
import { interfaceIsUp } from './frames/link-state.js';
import { openSocketCan, type SocketCanOptions } from './frames/socketcan-reader.js';
import { createCaptureIndex } from './log-duplicates.js';
import { logSource } from './log-files.js';
import { resolveCanConfig, type ResolvedCan } from './resolve.js';
import { formatScan, type LeftOutChannels } from './scan-format.js';

/** The option `bridge-can` adds to see what a bus or a log carries before writing the mapping. */
export const SCAN_OPTION: BridgeCliOption = {
  flags: '--scan [duration]',
  inspects: true,
  description:
    'listen to the interface for DURATION (default 10s; Ctrl-C ends it early, with the list; a log is read to its end, or until Ctrl-C, only its replay.channel when the mapping names one) and list every id seen: channel, frames, rate, payload lengths, the DBC message it is and whether the mapping reads it; then what the DBC files cover, and exit',
};

/** What the scan reads a live bus with (the socketcan package, unless a test gives another). */
export interface ScanSources {
  loadModule?: SocketCanOptions['loadModule'];
}

/**
 * `--scan [duration]`: a survey of the bus (the interface for a while, or the whole log: the
 * frames a run reads, those of `replay.channel` when the mapping names one) printed by `formatScan`. Resolves with the exit code (0; 1 when the interface or
 * the log cannot be read, or the interface went away or stayed down, what was heard printed
 * still; 2 for a wrong duration), or undefined without `--scan`.
 */
export async function handleScan(options: Record<string, unknown>, section: CanConfig, io: BridgeCliIo, sources: ScanSources = {}): Promise<number | undefined> {
  if (options.scan === undefined) return undefined;
  const duration = durationOption(options.scan, SCAN_DURATION);
  if (!duration.ok) {
    io.stderr.write(`${duration.message}\n`);
    return 2;
  }
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) return 2;
  const config = resolved.config;
  const { database, problems } = await loadDbcFiles(config.dbc);
  const { plan } = planCan(database, config, problems);
  const survey = createBusSurvey();
  try {
    const heard: Heard = config.spec.kind === 'file' ? await surveyLogs(config, config.spec.path, survey, io) : await surveyBus(config.spec.name, survey, duration.ms, io, sources);
    const accept = createIdFilter(busFilters(config.filters, plan));
    const passes = accept ? (id: number, extended: boolean) => accept({ id, extended }) : undefined;
    io.stdout.write(formatScan(plan, survey.result(), heard.from, { ...(heard.leftOut ? { leftOut: heard.leftOut } : {}), ...(passes ? { passes } : {}) }));
    if (heard.stopped === undefined) return 0;
    // What was heard is printed; an interface that went away or stayed down still fails the scan.
    io.stderr.write(`bridge-can --scan: ${heard.stopped.message}\n`);
    return 1;
  } catch (err) {
    io.stderr.write(`bridge-can --scan: ${(err as Error).message}\n`);
    return 1;
  }
}

/** What a survey heard from: its description, why it stopped early, and the frames of other channels a log's `replay.channel` left out. */
interface Heard {
  from: string;
  stopped?: Error;
  leftOut?: LeftOutChannels;
}

/** The longest a timer may wait (Node's limit): reading a log has no time limit of its own. */
const NO_LIMIT_MS = 2_147_483_647;

/**
 * Reads a log, or every log of a folder, whole; a folder's logs are laid end to end in time, so
 * that rates stay rates. Only the frames of `replay.channel` are surveyed when the mapping names
 * one, as a run reads only those; the others are counted. Ctrl-C (or SIGTERM) ends the reading
 * early: the list so far is printed, as for a bus.
 */
async function surveyLogs(config: ResolvedCan, path: string, survey: BusSurvey, io: BridgeCliIo): Promise<Heard> {
  const source = logSource(path);
  const files = source.kind === 'folder' ? source.files : [path];
  const stop = new AbortController();
  // Said before the reading starts; the window below listens for Ctrl-C before any of it is handled.
  io.logger.info(`reading ${path} to its end (Ctrl-C ends it early, with the list so far)`);
  const reading = (async () => {
    let startMs = 0;
    let described = '';
    const channel = config.replay.channel;
    const other = { frames: 0, names: [] as string[] };
    const captures = createCaptureIndex(config.replay.timeZone);
    let repeated = 0;
    for (const [i, file] of files.entries()) {
      if (source.kind === 'folder') io.logger.debug(`reading ${file} (${i + 1} of ${files.length})`);
      // As a run does: the same capture in another format (drive.log beside drive.asc) is not counted twice.
      const original = source.kind === 'folder' ? await captures.earlier(file) : undefined;
      if (original !== undefined) {
        repeated++;
        io.logger.warn(`${file} begins with the same frames as ${original}, read before it (the same capture in another format?): passed over, as a run passes it over`);
        continue;
      }
      const read = await surveyLog(config, file, survey, startMs, stop.signal);
      startMs += read.spanMs + 1;
      described = read.text;
      other.frames += read.otherChannels?.frames ?? 0;
      for (const name of read.otherChannels?.names ?? []) if (other.names.length < 16 && !other.names.includes(name)) other.names.push(name);
      if (stop.signal.aborted) break;
    }
    const passed = repeated > 0 ? ` (${repeated} passed over: the same frames as a log before)` : '';
    const from = source.kind === 'folder' ? `the ${files.length} log${files.length === 1 ? '' : 's'} of ${path}${passed}, ${formatDuration(Math.max(0, startMs - 1))} of traffic` : described;
    return { from, ...(channel === undefined ? {} : { leftOut: { channel, ...other } }) };
  })();
  const window = await listenWindow(NO_LIMIT_MS, { ended: reading });
  if (window.interrupted) stop.abort();
  const heard = await reading;
  return window.interrupted ? { ...heard, from: `${heard.from}, read until Ctrl-C (stopped early)` } : heard;
}

/**
 * Reads one log whole (until `signal`), the channel the mapping reads (every one without
 * `replay.channel`), as fast as it goes, its times moved to start at `startMs` (so a log without
 * a date is read too). Gives its traffic's span, a description and the frames of other channels.
 */
async function surveyLog(config: ResolvedCan, path: string, survey: BusSurvey, startMs: number, signal: AbortSignal): Promise<{ spanMs: number; text: string; otherChannels?: ReplayStats['otherChannels'] }> {
  let skipped = 0;
  // The recorded pace on a clock that never waits: as fast as it goes, the log's gaps kept.
  const clock = { now: () => startMs, sleep: async () => undefined };
  const channel = config.replay.channel === undefined ? {} : { channel: config.replay.channel };
  const stats = await replayCandumpFile(path, { timeZone: config.replay.timeZone, timestamps: 'replay', pace: 'recorded', ...channel, clock, signal, onFrame: (f) => survey.frame(f), onProblem: () => void skipped++ });
  const format = LOG_FORMAT_NAMES[stats.format ?? 'candump'];
  const spanMs = stats.firstTimestampMs !== undefined && stats.lastTimestampMs !== undefined ? Math.round(stats.lastTimestampMs - stats.firstTimestampMs) : 0;
  const span = stats.firstTimestampMs !== undefined ? `, ${formatDuration(spanMs)} of traffic` : '';
  const unit = recordUnit(stats.format);
  const bad = skipped === 1 ? `; 1 ${unit} that is not a frame skipped` : skipped > 1 ? `; ${skipped} ${unit}s that are not frames skipped` : '';
  return { spanMs, text: `the ${format} log ${path}${span}${bad}`, ...(stats.otherChannels ? { otherChannels: stats.otherChannels } : {}) };
}

/**
 * Listens to a SocketCAN interface for `ms`, then lets it go. An interface that goes away (an
 * adapter unplugged) ends the listening then: what was heard until then is the survey, with why
 * it ended. One that is down (nothing can be heard) is said at the start, and fails the scan if
 * it is still down at the end.
 */
async function surveyBus(name: string, survey: BusSurvey, ms: number, io: BridgeCliIo, sources: ScanSources): Promise<{ from: string; stopped?: Error }> {
  const down = `${name} is down: nothing can be heard until it is up (ip link set ${name} up type can bitrate 500000, at the bus's bitrate)`;
  if ((await interfaceIsUp(name)) === false) io.logger.warn(down);
  let stopped: Error | undefined;
  let wentAway: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (wentAway = resolve));
  const reader = await openSocketCan({
    interface: name,
    onFrame: (f) => survey.frame(f),
    onStopped: (err) => {
      stopped = err;
      wentAway();
    },
    onWarning: (message) => io.logger.warn(message),
    ...(sources.loadModule ? { loadModule: sources.loadModule } : {}),
  });
  const heard = await listenWindow(ms, { ended: gone, started: () => io.logger.info(`listening to ${name} for ${formatDuration(ms)}`) });
  await reader.close();
  if (stopped !== undefined) return { from: `${heard.text} on ${name}, until it went away`, stopped };
  return { from: `${heard.text} on ${name}`, ...((await interfaceIsUp(name)) === false ? { stopped: new Error(down) } : {}) };
}
