import type { Logger } from 'pino';
import { presentSections, type MultiFileConfig } from '../config/file-schema.js';
import type { RuleExchange } from '../rules/rule-exchange.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { releaseKept, releaseUnheld } from '../runtime/kept-open.js';
import { startBridges } from '../runtime/start-bridges.js';
import { errorInBrief } from '../shared/log-error.js';
import { redactUrl } from '../shared/text.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../sink/sink-options.js';
import type { CliIo } from './parse-args.js';
import { deliverWhatWasRead } from './_deliver-read.js';
import { reload } from './_reload.js';
import { atKey } from './_at-key.js';
import { watchLauncher } from './_launcher-watch.js';
import type { MappingRead } from './mapping-read.js';
import { bridgeOptions, makeSink, startObserve, type ServiceParts, type ServiceState } from './_service-state.js';
import { formatStatus, sampleCounters, type StatusSample } from './status-line.js';
import { whenReaderGone } from './_stdout-reader.js';
import { answerOnceSignals, leftBehind, runOnce } from './_run-once.js';
import { refusedPoints } from './_refused-points.js';

/** What {@link runService} needs. */
export interface ServiceOptions {
  /** The command, for messages: `bridge-modbus`, `fieldbridge`. */
  command: string;
  /** The bridges the file may hold; every one whose section is present runs, on one sink. */
  definitions: readonly BridgeDefinition[];
  config: MultiFileConfig;
  /**
   * Reads the mapping file again (SIGHUP), with the bridges it may hold then (a file may gain or
   * lose sections). Throws (or rejects) like `loadMapping`: the reload is refused with the message.
   */
  load: () => MappingRead | Promise<MappingRead>;
  /** Told of each mapping a reload applied (not of one it refused). */
  onReloaded?: (read: MappingRead) => void;
  logger: Logger;
  io: CliIo;
  dryRun: boolean;
  once: boolean;
  /** `--once-timeout`, in ms. */
  onceTimeoutMs?: number;
  /** `--session NAME`: the session id stamped on every point from the start. */
  session?: string;
  /**
   * Stops the service as SIGTERM would (e.g. when a sibling service in the same command failed).
   * A string `reason` given to `abort()` says why in the stop line (`b.yaml failed (NO_BLUETOOTH)`).
   */
  signal?: AbortSignal;
  /**
   * Told why the run fails, once, as soon as it is known (before the stop has delivered what is
   * queued): an expected error's code (`NO_BLUETOOTH`), else what happened. A run that ends with
   * exit code 1 only because its stop lost points is told at the end.
   */
  onFailure?: (why: string) => void;
  /** The exchange of a run of several files: their rules that list `sources:` read each other's points. */
  ruleExchange?: RuleExchange;
  /** The mapping file, so that a spool or observe address that cannot be used is said at its key (`file:line:col`). */
  file?: string;
  /**
   * Whether a SIGHUP arrived after the file was read and before the service answers SIGHUP itself
   * (see `holdHangups`): the service then reloads once its bridges run. Default: none did.
   */
  reloadAsked?: () => boolean;
}

/**
 * Runs the bridge until SIGINT/SIGTERM, until its source ran out (`BridgeInstance.ended`: what
 * it read is delivered first, for as long as delivery makes progress), or
 * for one cycle with `once`: the sink, the observe server,
 * the bridge, and SIGHUP reloads. Everything that can refuse to start (the spool, the observe
 * port) starts before the bridge and the signal handlers are in place before anything runs
 * long: the outcome is a bridge fully running or a clean exit. Resolves with the exit code.
 *
 * The run holds the process open itself until it ends: a bridge may have nothing else that does
 * (a source waiting to reconnect arms only unref'd timers, the sink's are unref'd too, and
 * without `observe:` no server listens), and node would end such a process at once, its run
 * unfinished (exit 13).
 */
export async function runService(s: ServiceOptions): Promise<number> {
  const hold = setInterval(() => undefined, 2 ** 31 - 1);
  try {
    return await serve(s);
  } finally {
    clearInterval(hold);
  }
}

async function serve(s: ServiceOptions): Promise<number> {
  const parts: ServiceParts = {
    command: s.command, logger: s.logger, io: s.io, dryRun: s.dryRun, session: s.session,
    ...(s.onReloaded ? { reloaded: s.onReloaded } : {}),
    ...(s.ruleExchange ? { ruleExchange: s.ruleExchange } : {}),
  };
  const made = atKey(s.file, ['sink', 'buffer', 'path'], () => makeSink(parts, { config: s.config, definitions: s.definitions }));
  const state: ServiceState = { config: s.config, definitions: s.definitions, sink: made.sink, sinkRegistry: made.registry, memorySpool: made.memorySpool, bridge: undefined, observe: undefined, retiring: new Set(), reloadState: new Map() };
  // A dry run whose reader went away (`--dry-run | head`) ends at once, as any Unix filter does:
  // it delivers nothing, so nothing is lost.
  const unwatchDryRun = s.dryRun
    ? whenReaderGone(s.io.stdout, () => {
        s.logger.info('stdout was closed by its reader: the dry run ends');
        process.exit(0);
      })
    : undefined;

  if (s.once) {
    try {
      state.bridge = await startBridges(state.definitions, state.config, { ...bridgeOptions(parts, state), deferStart: true });
    } catch (err) {
      await releaseQuietly(state, s.logger, 'all');
      await state.sink.close();
      throw err;
    }
    const unanswer = answerOnceSignals(state, s.logger, s.dryRun);
    if (s.reloadAsked?.()) s.logger.warn('SIGHUP: a --once cycle does not reload its mapping; ignored');
    try {
      return await runOnce(state.bridge, state.sink, state.config, s.file, s.logger, s.onceTimeoutMs, failing(s), s.signal);
    } finally {
      unanswer.stop();
      unwatchDryRun?.();
      await releaseQuietly(state, s.logger, 'all');
    }
  }

  if (state.config.observe && !s.dryRun) {
    try {
      const listen = state.config.observe.listen;
      state.observe = await atKey(s.file, ['observe', 'listen'], () => startObserve(listen, state));
    } catch (err) {
      await state.sink.close();
      throw err;
    }
    s.logger.info({ url: state.observe.url }, `health and metrics on ${state.observe.url}/metrics`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    let reloading = Promise.resolve();
    let statusTimer: NodeJS.Timeout | undefined;
    const onHup = () => {
      if (stopping) return;
      reloading = reloading.then(() => (stopping ? undefined : reload(parts, state, s.load).then(() => releaseQuietly(state, s.logger, 'unheld')))).catch((err: unknown) => {
        s.logger.fatal({ err }, `reload failed: ${(err as Error).message}`);
        void finish('reload failure', 1, err);
      });
    };
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        s.logger.warn({ points: state.sink.status().spool.points }, `${signal} again: exiting without waiting for delivery; ${leftBehind(state, s.dryRun)}`);
        // Open sockets would keep the process alive after a plain return. On the next turn: the
        // other files' services of the command hear the signal too, and say what they leave.
        setImmediate(() => process.exit(1));
        return;
      }
      void finish(signal, 0);
    };
    // A sink writing to stdout whose reader went away stops as on SIGTERM, exit 1: what it could
    // not write stays in a disk spool.
    const unwatch = !s.dryRun && state.config.sink.url === 'stdout' ? whenReaderGone(process.stdout, () => void finish('stdout was closed by its reader', 1)) : undefined;
    const fail = failing(s);
    const unwatchLauncher = watchLauncher(s.io.env, (launcher) => {
      s.logger.warn(`the ${launcher} process that started this one is gone (it does not pass signals on): stopping as on SIGTERM; a supervisor should signal this process (pid ${process.pid}) or run the command without npx`);
      void finish('launcher gone', 0);
    });
    /** Stops the run; `err` is what made it fail, when something did; `ranOut` when its source ended it. */
    async function finish(reason: string, code: number, err?: unknown, ranOut = false): Promise<void> {
      if (stopping) return;
      stopping = true;
      if (code !== 0) fail(err === undefined ? reason : errorInBrief(err));
      unwatch?.();
      unwatchLauncher();
      if (statusTimer) clearInterval(statusTimer);
      s.logger.info(`${reason}: stopping intake and delivering what is queued`);
      // One budget for the whole stop: what the bridge takes to close its connections (a frozen
      // OPC UA server, seconds) comes off the delivery's, so a container's stop timeout holds.
      const budgetMs = state.config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
      const stopStart = Date.now();
      await reloading;
      await state.bridge?.stop();
      await releaseQuietly(state, s.logger, 'all');
      // A dry run's last lines are written here: its reader may be gone by now (a replay that
      // ran out under `| head`), and that still ends it quietly.
      const [left, ...retired] = await Promise.all([state.sink.close({ timeoutMs: budgetMs - (Date.now() - stopStart) }), ...state.retiring]);
      // Points lost on the way out (a memory spool, said in the log) make it a failed run: a
      // script uploading a capture must not take a total loss for success.
      if ([left, ...retired].some((l) => l!.lost > 0)) {
        code = Math.max(code, 1);
        fail('undelivered points were lost');
      }
      if (ranOut && refusedPoints([left, ...retired], s.file, s.logger, fail)) code = Math.max(code, 1);
      unwatchDryRun?.();
      await state.observe?.close();
      process.off('SIGINT', onStop).off('SIGTERM', onStop).off('SIGHUP', onHup);
      s.signal?.removeEventListener('abort', onAbort);
      resolve(code);
    }
    process.on('SIGINT', onStop).on('SIGTERM', onStop).on('SIGHUP', onHup);
    const onAbort = () => void finish(typeof s.signal?.reason === 'string' ? s.signal.reason : 'stopped', 0);
    s.signal?.addEventListener('abort', onAbort, { once: true });
    // Sources that run out (a replayed capture) end the run once what they read is delivered,
    // unless a reload replaced them or a signal came first.
    parts.started = (bridge) => {
      const current = () => state.bridge === bridge && !stopping;
      const ranOut = async (reason: string, err?: unknown): Promise<void> => {
        if (!current()) return;
        s.logger.info(`${reason}: delivering what was read`);
        await deliverWhatWasRead(state.sink, state.config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, () => !current(), s.logger);
        if (current()) void finish(reason, err === undefined ? 0 : 1, err, true);
      };
      // A source that ran out having read nothing usable rejects: what it read is delivered, then exit 1.
      void bridge.ended?.then(
        (reason) => ranOut(reason),
        (err: unknown) => ranOut(err instanceof Error ? err.message : String(err), err),
      );
    };

    reloading = (async () => {
      try {
        state.bridge = await startBridges(state.definitions, state.config, bridgeOptions(parts, state));
        parts.started?.(state.bridge);
      } catch (err) {
        s.logger.fatal({ err }, `${s.command} could not start: ${(err as Error).message}`);
        void finish('start failure', 1, err);
        return;
      }
      s.logger.info(
        { source_id: state.config.source_id, sink: s.dryRun ? 'dry-run (stdout)' : redactUrl(state.config.sink.url), ...(s.session ? { session_id: s.session } : {}) },
        `${runningWhat(s)} running`,
      );
      statusTimer = startStatusLine(s, state);
    })();
    // A SIGHUP that came while the service started (the file already read): reloaded once it runs.
    if (s.reloadAsked?.()) {
      s.logger.info('SIGHUP during start-up: the mapping file is read again once the bridges run');
      onHup();
    }
    // A sibling may have failed while this one was still making its sink: stop once started.
    if (s.signal?.aborted) onAbort();
  });
}

/**
 * Closes what the bridges keep open across reloads (`BridgeContext.keepOpen`): after a reload,
 * what no bridge took up again (`unheld`); at the end of the run, `all`. A resource that would not
 * close is logged: the run goes on, or ends, as it would have.
 */
async function releaseQuietly(state: ServiceState, logger: Logger, which: 'unheld' | 'all'): Promise<void> {
  try {
    await (which === 'all' ? releaseKept(state.reloadState) : releaseUnheld(state.reloadState));
  } catch (err) {
    logger.warn({ err }, (err as Error).message);
  }
}

/** What runs: `bridge-modbus`, or `fieldbridge (modbus, mqtt)`. */
function runningWhat(s: ServiceOptions): string {
  const names = presentSections(s.definitions, s.config).map((d) => d.name);
  return s.command === `bridge-${names[0]}` && names.length === 1 ? s.command : `${s.command} (${names.join(', ')})`;
}

/** On a terminal, a status line every half minute; pipes and log collectors get none. */
function startStatusLine(s: ServiceOptions, state: ServiceState): NodeJS.Timeout | undefined {
  if (!process.stderr.isTTY || s.dryRun) return undefined;
  let last: StatusSample = { atMs: Date.now(), sent: 0, dropped: 0 };
  return setInterval(() => {
    sampleCounters(state.sinkRegistry, Date.now()).then(
      (now) => {
        if (state.bridge) s.logger.info(`status: ${formatStatus(last, now, state.sink.status(), state.bridge.readiness())}`);
        last = now;
      },
      (err: unknown) => s.logger.debug({ err }, 'status line failed'),
    );
  }, 30_000).unref();
}

/** {@link ServiceOptions.onFailure}, told once at most. */
function failing(s: ServiceOptions): (why: string) => void {
  let told = false;
  return (why) => {
    if (told) return;
    told = true;
    s.onFailure?.(why);
  };
}
