import { durationOption, listenWindow, SCAN_DURATION, formatDuration, type BridgeCliIo, type BridgeCliOption, type ListenWindow } from '@fieldbridge/core/bridge';
import type { MavlinkConfig } from './config.js';
import { loadDialect } from './dialect.js';
import { startHeartbeats } from './_heartbeat.js';
import { createLinkSurvey } from './link-survey.js';
import { formatLinkUrl } from './link-url.js';
import { compileMessagePlan } from './message-plan.js';
import { openLink } from './open-link.js';
import { createMavlinkParser } from './parser.js';
import { resolveMavlink } from './resolve.js';
import { formatScan } from './scan-format.js';
import { noTlogFramesMessage } from './tlog.js';

/** The option `bridge-mavlink` adds to see what a link carries before writing `messages:`. */
export const SCAN_OPTION: BridgeCliOption = {
  flags: '--scan [duration]',
  inspects: true,
  description:
    'listen on the connection for DURATION (default 10s; Ctrl-C ends it early, with the list; a .tlog is read to its end) and list every sender (system, component, autopilot, type, mode, link loss) with the messages it sends, their rates and whether the mapping reads them, then a messages: block to paste; then exit',
};

/**
 * `--scan [duration]`: a survey of the link printed by `formatScan`. On a live link the mapping's
 * ground-station heartbeats go out as in a run (a vehicle on `udpout` sends only once it hears
 * one). Resolves with the exit code (0; 1 when the link cannot be opened; 2 for a wrong
 * duration), or undefined without `--scan`.
 */
export async function handleScan(options: Record<string, unknown>, section: MavlinkConfig, io: BridgeCliIo): Promise<number | undefined> {
  if (options.scan === undefined) return undefined;
  const duration = durationOption(options.scan, SCAN_DURATION);
  if (!duration.ok) {
    io.stderr.write(`${duration.message}\n`);
    return 2;
  }
  const config = resolveMavlink(section);
  const dialect = await loadDialect(config.dialect);
  const plan = compileMessagePlan(dialect, config.selection);
  const parser = createMavlinkParser({ dialect });
  const survey = createLinkSurvey();
  const tlog = config.connection.kind === 'tlog';
  // A log is read as fast as it goes, whatever pace the mapping replays it at.
  const link = openLink(config.connection.kind === 'tlog' ? { ...config.connection, pace: 'fast' } : config.connection, { reconnect: config.reconnect });
  let stopHeartbeats: (() => void) | undefined;
  let ended: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (ended = resolve));
  let heard: ListenWindow | undefined;
  /** The replay's line on bytes of a `.tlog` that were not records. */
  let skipped: string | undefined;
  try {
    await link.start({
      data(chunk) {
        const parsed = parser.push(chunk.bytes, { datagram: chunk.datagram });
        const atMs = chunk.recordedAtMs ?? Date.now();
        for (const frame of parsed.frames) survey.frame(frame, atMs);
        survey.problems(parsed.problems);
      },
      state(state, detail) {
        if (state === 'ended') skipped = detail;
        if (state === 'ended' || state === 'closed') ended();
        else if (state === 'reconnecting') io.logger.warn(`${formatLinkUrl(config.connection)}: ${detail ?? 'reconnecting'}`);
      },
    });
    if (config.heartbeat && !tlog) {
      const hb = config.heartbeat;
      stopHeartbeats = startHeartbeats({ link: () => link, intervalMs: hb.intervalMs, sysid: hb.sysid, compid: hb.compid, signing: config.signing, now: Date.now, failed: () => undefined, sent: () => undefined });
    }
    if (!tlog) {
      heard = await listenWindow(duration.ms, { ended: done, started: () => io.logger.info(`listening on ${formatLinkUrl(config.connection)} for ${formatDuration(duration.ms)}`) });
    } else await done;
  } catch (err) {
    io.stderr.write(`bridge-mavlink --scan: ${(err as Error).message}\n`);
    return 1;
  } finally {
    stopHeartbeats?.();
    await link.close();
  }
  survey.problems(parser.end().problems);
  const records = link.stats().chunks;
  const heardFrom = tlog ? `the log ${formatLinkUrl(config.connection)}` : `${heard!.text} on ${formatLinkUrl(config.connection)}`;
  const nothingHeard = config.connection.kind === 'tlog' ? noTlogFramesMessage(config.connection.path, records, skipped) : undefined;
  const filter = { systems: config.systems, components: config.components };
  io.stdout.write(formatScan(survey.result(), dialect, plan, heardFrom, { filter, messages: section.messages, ...(nothingHeard ? { nothingHeard } : {}) }));
  return 0;
}
