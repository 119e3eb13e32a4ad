import type { BridgeContext, BridgeInstance } from '@fieldbridge/core/bridge';
import { FrameHandler } from './_frames.js';
import { describeReplay, replayLog, replayProgress } from './_log-bus.js';
import { createCanMetrics } from './_metrics.js';
import { SocketCanBus } from './_socketcan-bus.js';
import type { CanConfig } from './config.js';
import { loadDbcFiles } from './dbc/load-dbc.js';
import { formatDbcProblem } from './dbc/parse-dbc.js';
import { MAX_FRAME_BYTES, planCan, type CanPlan } from './decode-plan.js';
import { CanBridgeError } from './errors.js';
import type { ReplayClock } from './frames/candump-replay.js';
import type { SocketCanModule } from './frames/socketcan-reader.js';
import { logSource } from './log-files.js';
import { undatedLogProblem } from './log-start.js';
import { resolveCanConfig, type ResolvedCan } from './resolve.js';
import { busFilters } from './transport-filters.js';

/** DBC problems logged one by one at start; the rest are counted in one line. */
const LOGGED_DBC_PROBLEMS = 10;

/** Options of {@link createCanSource}, mostly for tests. */
export interface CanSourceOptions {
  /** Loads the `socketcan` package. Default a dynamic `import('socketcan')` at the first open. */
  loadSocketCan?: () => Promise<SocketCanModule>;
  /** Where `net.core.rmem_default` is read. Default `/proc/sys/net/core`. */
  procDir?: string;
  /** Where interfaces' flags and indexes are read, to tell one that is down or gone. Default `/sys/class/net`. */
  sysDir?: string;
  /** How often a SocketCAN interface is checked for being down or gone, in ms. Default 2000. */
  linkCheckMs?: number;
  /** The clock a log replay paces itself by. Default the sink's clock and real timers. */
  replayClock?: ReplayClock;
}

/** The CAN bridge instance. */
export interface CanSource extends BridgeInstance {
  /** The compiled plan once `start()` read the DBC files; undefined before. */
  plan(): CanPlan | undefined;
}

/**
 * Creates the CAN source: one required channel for the bus (named by `bus`, else the interface
 * or the log file's name). Nothing is read until `start()`: it loads the DBC files, compiles
 * the decoders and the mapping's choices once, then opens the interface (the `socketcan`
 * package is loaded then) or starts replaying the log. A log replayed to its end (without
 * `loop`) resolves `ended`. Throws a {@link CanBridgeError} (`MAPPING_INVALID`) for a section
 * that `checkCan` would refuse.
 */
export function createCanSource(section: CanConfig, ctx: BridgeContext, options: CanSourceOptions = {}): CanSource {
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) throw new CanBridgeError('MAPPING_INVALID', `the can section is invalid: ${resolved.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = resolved.config;
  const channel = ctx.channel(config.bus);
  const metrics = createCanMetrics(ctx.registry, config.bus, config.unknown.maxIds);
  const abort = new AbortController();
  let plan: CanPlan | undefined;
  let running: Promise<unknown> | undefined;
  let bus: SocketCanBus | undefined;
  let started = false;
  let end: (reason: string) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const ended =
    config.spec.kind === 'file' && !config.replay.loop
      ? new Promise<string>((resolve, reject) => {
          end = resolve;
          fail = reject;
        })
      : undefined;
  // Handled by the runtime (exit 1); a caller that never reads `ended` must not see it unhandled.
  ended?.catch(() => undefined);

  const start = async (): Promise<void> => {
    const { database, problems } = await loadDbcFiles(config.dbc);
    if (abort.signal.aborted) return;
    const planned = planCan(database, config, problems);
    if (planned.issues.length > 0) {
      throw new CanBridgeError('MAPPING_INVALID', `the can section does not fit ${config.dbc.join(', ')}: ${planned.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    plan = planned.plan;
    reportPlan(plan, config, ctx);
    const handler = new FrameHandler(plan, ctx, channel, metrics);
    const filters = busFilters(config.filters, plan);
    if (config.spec.kind === 'file') {
      const path = config.spec.path;
      const undated = config.replay.timestamps === 'log' && logSource(path).kind === 'file' ? undatedLogProblem(path, config.replay.timeZone) : undefined;
      if (undated) throw new CanBridgeError('MAPPING_INVALID', `the can section does not fit its log: ${undated}`);
      const progress = replayProgress(ctx, path, config.replay, filters);
      running = replayLog({ path, replay: config.replay, filters, ctx, channel, handler, signal: abort.signal, progress, ...(options.replayClock ? { clock: options.replayClock } : {}) }).then((stats) => {
        if (!stats || stats.aborted || abort.signal.aborted) return;
        const line = describeReplay(path, stats);
        if (stats.frames + (stats.resumed ?? 0) === 0 && stats.malformed + stats.unsupported + (stats.passedOver ?? 0) > 0) {
          // Nothing could be read: not a success, whatever the exit code (the run sends nothing).
          channel.set('failed', `no frame could be read from ${path}`);
          ctx.metrics.error(channel.name, 'log_read');
          const why = `${channel.name}: ${line}: no frame could be read from it (the first skipped line says why); check its format, or replay.timestamps: replay for a log without a start`;
          ctx.logger.error({ bus: channel.name }, why);
          fail(new CanBridgeError('LOG_READ_FAILED', why));
          return;
        }
        channel.set('disconnected', 'the log ended');
        const unfinished = handler.endOfLog();
        if (unfinished) ctx.logger.warn({ bus: channel.name }, `${channel.name}: ${unfinished}`);
        // A logger's file that was created but never written (power lost at once): nothing to send, but not as quietly as a good log.
        if (stats.frames + (stats.resumed ?? 0) === 0) ctx.logger.warn({ bus: channel.name }, `${channel.name}: ${path} holds no frame: nothing was read from it`);
        const unread = nothingRead(path, handler.tally, config.dbc);
        if (unread) ctx.logger.warn({ bus: channel.name }, `${channel.name}: ${unread}`);
        end(line);
      });
      return;
    }
    bus = new SocketCanBus({
      name: config.spec.name,
      filters,
      settings: config.socketcan,
      reconnect: config.reconnect,
      ctx,
      channel,
      handler,
      metrics,
      ...(options.loadSocketCan ? { loadModule: options.loadSocketCan } : {}),
      ...(options.procDir ? { procDir: options.procDir } : {}),
      ...(options.sysDir ? { sysDir: options.sysDir } : {}),
      ...(options.linkCheckMs ? { linkCheckMs: options.linkCheckMs } : {}),
    });
    bus.start();
  };

  let stopping: Promise<void> | undefined;
  return {
    ...(ended ? { ended } : {}),
    async start() {
      if (started || abort.signal.aborted) return;
      started = true;
      await start();
    },
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await bus?.stop();
        await running;
      })();
      return stopping;
    },
    plan: () => plan,
  };
}

/** Says once at start what the DBC files gave and what was left out, with the problems found in them. */
function reportPlan(plan: CanPlan, config: ResolvedCan, ctx: BridgeContext): void {
  const { summary } = plan;
  ctx.logger.info(
    { bus: plan.bus, dbc: config.dbc, ...summary },
    `${plan.bus}: ${config.dbc.join(', ')}: reading ${summary.selectedSignals} of ${summary.signals} signals in ${summary.selectedMessages} of ${summary.messages} messages`,
  );
  const problems = plan.dbcProblems;
  if (problems.length > 0) {
    ctx.metrics.error(plan.bus, 'dbc_problem', problems.length);
    for (const p of problems.slice(0, LOGGED_DBC_PROBLEMS)) ctx.logger.warn({ bus: plan.bus, kind: p.kind }, `DBC: ${formatDbcProblem(p)}`);
    if (problems.length > LOGGED_DBC_PROBLEMS) ctx.logger.warn({ bus: plan.bus }, `DBC: ${problems.length - LOGGED_DBC_PROBLEMS} more problems; bridge-can --list-signals lists them all`);
  }
  // Messages read by PGN are reassembled from J1939's transport protocol; others longer than a frame cannot be.
  const long = [...plan.messages.values()].filter((m) => m.longerThanFrames && !m.decoder.byPgn).map((m) => `${m.decoder.message.name} (${m.decoder.message.length} bytes)`);
  if (long.length > 0) {
    ctx.logger.info(
      { bus: plan.bus, messages: long },
      `${plan.bus}: ${long.join(', ')} ${long.length === 1 ? 'is' : 'are'} longer than a frame (${MAX_FRAME_BYTES} bytes) and not read as J1939 (by PGN), so its transport protocol is not reassembled for ${long.length === 1 ? 'it' : 'them'}: the signals within one frame are decoded (j1939: true reads extended ids by PGN)`,
    );
  }
}

/**
 * What to say when a log's frames were all read and none of them decoded: most often the DBC of
 * another vehicle (every id unknown), which would otherwise end as quietly as a good replay.
 */
export function nothingRead(path: string, tally: FrameHandler['tally'], dbc: readonly string[]): string | undefined {
  if (tally.decoded > 0 || tally.unknown + tally.excluded === 0) return undefined;
  const parts: string[] = [];
  const frames = (n: number): string => `${n.toLocaleString('en-US')} frame${n === 1 ? '' : 's'}`;
  if (tally.unknown > 0) parts.push(`${frames(tally.unknown)} ${tally.unknown === 1 ? 'has an id' : 'have ids'} no DBC file defines (are ${dbc.join(', ')} this bus's DBC files? bridge-can --scan lists the log's ids against them)`);
  if (tally.excluded > 0) parts.push(`${frames(tally.excluded)} ${tally.excluded === 1 ? 'is' : 'are'} of messages the mapping leaves out (messages, signals)`);
  return `no frame of ${path} gave a point: ${parts.join('; ')}`;
}
