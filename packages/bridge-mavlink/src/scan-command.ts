import { durationOption, listenWindow, SCAN_DURATION, formatDuration, type BridgeCliIo, type BridgeCliOption, type ListenWindow } from '@fieldbridge/core/bridge';
import type { MavlinkConfig } from './config.js';
import { loadDialect } from './dialect.js';
import { startHeartbeats } from './_heartbeat.js';
import { createLinkSurvey } from './link-survey.js';
import { formatLinkUrl, type LinkSpec } from './link-url.js';
import { clientLine } from './client-line.js';
import type { MavlinkLink } from './link.js';
import { compileMessagePlan } from './message-plan.js';
import { openLink } from './open-link.js';
import { resolveMavlink } from './resolve.js';
import { formatScan } from './scan-format.js';
import { createStreamParsers } from './stream-parsers.js';
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
 * one). Resolves with the exit code (0; 1 when the link cannot be opened, or a `.tlog` holds
 * no frame, as a run fails; 2 for a wrong duration), or undefined without `--scan`.
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
  const parser = createStreamParsers({ dialect });
  const survey = createLinkSurvey();
  /** What a parser still held when its bytes ended: whole frames are heard, the rest are problems. */
  const settle = (ended: ReturnType<typeof parser.end>, atMs: number): void => {
    survey.read(ended, atMs);
  };
  const tlog = config.connection.kind === 'tlog';
  // A log is read as fast as it goes, whatever pace the mapping replays it at.
  const link = openLink(config.connection.kind === 'tlog' ? { ...config.connection, pace: 'fast' } : config.connection, { reconnect: config.reconnect });
  let stopHeartbeats: (() => void) | undefined;
  let ended: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (ended = resolve));
  let heard: ListenWindow | undefined;
  /** Where it listened, with the port given for port 0 (known once bound). */
  let listenedOn = formatLinkUrl(config.connection);
  /** The replay's line on bytes of a `.tlog` that were not records. */
  let skipped: string | undefined;
  try {
    await link.start({
      data(chunk) {
        const parsed = parser.push(chunk.bytes, { datagram: chunk.datagram, stream: chunk.stream });
        const atMs = chunk.recordedAtMs ?? Date.now();
        survey.read(parsed, atMs, chunk.peer);
      },
      // A scan on tcpin:// waits for a client (a router or a vehicle connecting out): say when one comes and goes.
      client(event) {
        if (event.kind === 'disconnected' && event.stream !== undefined) settle(parser.end(event.stream), Date.now());
        io.logger.info(clientLine(event));
      },
      state(state, detail) {
        if (state === 'ended') skipped = detail;
        if (state === 'ended' || state === 'closed') ended();
        else if (state === 'reconnecting') io.logger.warn(`${formatLinkUrl(config.connection)}: ${detail ?? 'reconnecting'}`);
      },
    });
    listenedOn = boundUrl(config.connection, link);
    if (config.heartbeat && !tlog) {
      const hb = config.heartbeat;
      stopHeartbeats = startHeartbeats({ link: () => link, intervalMs: hb.intervalMs, sysid: hb.sysid, compid: hb.compid, signing: config.signing, now: Date.now, failed: () => undefined, sent: () => undefined });
    }
    if (!tlog) {
      heard = await listenWindow(duration.ms, { ended: done, started: () => io.logger.info(`listening on ${listenedOn} for ${formatDuration(duration.ms)}`) });
    } else await done;
  } catch (err) {
    io.stderr.write(`bridge-mavlink --scan: ${(err as Error).message}\n`);
    return 1;
  } finally {
    stopHeartbeats?.();
    await link.close();
  }
  settle(parser.end(), Date.now());
  if (config.connection.kind === 'tlog' && parser.counts().frames === 0) {
    // Not a .tlog, or an empty one: a run of the same mapping fails with this message and exit 1.
    io.stderr.write(`bridge-mavlink --scan: ${noTlogFramesMessage(config.connection.path, link.stats().chunks, skipped)}\n`);
    return 1;
  }
  const heardFrom = tlog ? `the log ${formatLinkUrl(config.connection)}` : `${heard!.text} on ${listenedOn}`;
  const filter = { systems: config.systems, components: config.components };
  io.stdout.write(formatScan(survey.result(), dialect, plan, heardFrom, { filter, messages: section.messages }));
  return 0;
}

/** The connection with the port the system gave for port 0 (`udpin://0.0.0.0:0` listens on a port of its choosing). */
function boundUrl(spec: LinkSpec, link: MavlinkLink): string {
  const bound = link.localAddress();
  if ((spec.kind === 'udpin' || spec.kind === 'tcpin') && spec.port === 0 && bound) return formatLinkUrl({ ...spec, port: bound.port });
  return formatLinkUrl(spec);
}
