import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { FileConfig } from '../config/file-schema.js';
import { startObserveServer, type ObserveServer } from '../observe/observe-server.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { sinkOptionsFromConfig } from '../runtime/sink-from-config.js';
import { agentVersionOf, startBridge, type RunningBridge } from '../runtime/start-bridge.js';
import { createSink } from '../sink/create-sink.js';
import type { Sink } from '../sink/sink-types.js';
import type { CliIo } from './parse-args.js';
import { formatStatus, sampleCounters, type StatusSample } from './status-line.js';

/** What {@link runService} needs. */
export interface ServiceOptions {
  definition: BridgeDefinition;
  config: FileConfig;
  /** Reads the mapping file again (SIGHUP). Throws like `loadMapping`. */
  load: () => FileConfig;
  logger: Logger;
  io: CliIo;
  dryRun: boolean;
  once: boolean;
  /** `--once-timeout`, in ms. */
  onceTimeoutMs?: number;
  /** `--session NAME`: the session id stamped on every point from the start. */
  session?: string;
}

/**
 * Runs the bridge until SIGINT/SIGTERM (or one cycle with `once`): the sink, the bridge, the
 * observe server, and SIGHUP reloads. Resolves with the exit code.
 */
export async function runService(s: ServiceOptions): Promise<number> {
  let config = s.config;
  let sinkRegistry = new Registry();
  collectDefaultMetrics({ register: sinkRegistry });
  const makeSink = (cfg: FileConfig, registry: Registry): Sink =>
    s.dryRun
      ? createSink({ url: 'stdout', sourceId: cfg.source_id, tags: cfg.tags, batch: { lingerMs: 100 }, session: s.session, logger: s.logger, registry, stdout: s.io.stdout })
      : createSink({ ...sinkOptionsFromConfig(cfg), session: s.session, agentVersion: agentVersionOf(s.definition), logger: s.logger, registry });

  let sink = makeSink(config, sinkRegistry);
  let bridge: RunningBridge;
  try {
    bridge = await startBridge(s.definition, config, { sink, logger: s.logger, deferStart: s.once });
  } catch (err) {
    await sink.close();
    throw err;
  }

  if (s.once) return runOnce(bridge, sink, config, s.logger, s.onceTimeoutMs);

  let observe: ObserveServer | undefined;
  if (config.observe && !s.dryRun) {
    observe = await startObserveServer({
      listen: config.observe.listen,
      registry: () => Registry.merge([sinkRegistry, bridge.registry]),
      readiness: () => bridge.readiness(),
    });
    s.logger.info({ url: observe.url }, `health and metrics on ${observe.url}/metrics`);
  }
  s.logger.info(
    { source_id: config.source_id, sink: s.dryRun ? 'dry-run (stdout)' : config.sink.url, ...(s.session ? { session_id: s.session } : {}) },
    `bridge-${s.definition.name} running`,
  );

  // On a terminal, a status line every half minute; pipes and log collectors get none.
  let last: StatusSample | undefined;
  const statusTimer = process.stderr.isTTY && !s.dryRun
    ? setInterval(() => {
        sampleCounters(sinkRegistry, Date.now()).then(
          (now) => {
            if (last) s.logger.info(`status: ${formatStatus(last, now, sink.status(), bridge.readiness())}`);
            last = now;
          },
          (err: unknown) => s.logger.debug({ err }, 'status line failed'),
        );
      }, 30_000).unref()
    : undefined;
  if (statusTimer) last = { atMs: Date.now(), sent: 0, dropped: 0 };

  let reloading = Promise.resolve();
  const reload = async () => {
    let next: FileConfig;
    try {
      next = s.load();
    } catch (err) {
      s.logger.error({ err: (err as Error).message }, 'SIGHUP: the mapping file is invalid; keeping the running configuration');
      return;
    }
    await bridge.stop();
    const sinkPart = (c: FileConfig) => JSON.stringify([c.source_id, c.tags, c.sink]);
    if (sinkPart(next) !== sinkPart(config)) {
      await sink.close();
      sinkRegistry = new Registry();
      sink = makeSink(next, sinkRegistry);
    }
    config = next;
    bridge = await startBridge(s.definition, config, { sink, logger: s.logger });
    s.logger.info('SIGHUP: mapping reloaded');
  };

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onHup = () => {
      reloading = reloading.then(reload).catch((err: unknown) => {
        s.logger.fatal({ err }, 'reload failed');
        void finish('reload failure', 1);
      });
    };
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        s.logger.warn(`${signal} again: exiting without waiting for delivery (undelivered data stays in a disk spool)`);
        // Open sockets would keep the process alive after a plain return.
        process.exit(1);
      }
      void finish(signal, 0);
    };
    async function finish(reason: string, code: number): Promise<void> {
      stopping = true;
      if (statusTimer) clearInterval(statusTimer);
      s.logger.info(`${reason}: stopping intake and delivering what is queued`);
      await reloading;
      await bridge.stop();
      await sink.close();
      await observe?.close();
      process.off('SIGINT', onStop).off('SIGTERM', onStop).off('SIGHUP', onHup);
      resolve(code);
    }
    process.on('SIGINT', onStop).on('SIGTERM', onStop).on('SIGHUP', onHup);
  });
}

/** One cycle: whatever was read is delivered even when the cycle failed part-way. */
async function runOnce(bridge: RunningBridge, sink: Sink, config: FileConfig, logger: Logger, timeoutMs: number | undefined): Promise<number> {
  let code = 0;
  try {
    await bridge.once(timeoutMs);
  } catch (err) {
    logger.error({ err }, `the read cycle failed: ${(err as Error).message}; delivering what was read`);
    code = 1;
  }
  await bridge.stop();
  try {
    await sink.flush({ timeoutMs: config.sink.shutdown_timeout_ms ?? 10_000 });
  } catch (err) {
    logger.error({ err }, 'not everything was delivered before the deadline');
    code = 1;
  }
  await sink.close();
  return code;
}
