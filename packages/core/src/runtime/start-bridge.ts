import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import type { FileConfig } from '../config/file-schema.js';
import { FieldbridgeError } from '../errors.js';
import { createSink } from '../sink/create-sink.js';
import type { Sink } from '../sink/sink-types.js';
import type { Readiness } from '../observe/observe-server.js';
import type { BridgeContext, BridgeDefinition, BridgeInstance, SourceState } from './define-bridge.js';
import { createLogger } from '../shared/logger.js';
import { createProblemReporter } from '../shared/problems.js';
import { sinkOptionsFromConfig } from './sink-from-config.js';

/** Options of {@link startBridge}. */
export interface StartBridgeOptions {
  /** Use this sink instead of creating one from the file's `sink` section (it is then not closed by `stop()`). */
  sink?: Sink;
  /** Default: info-level JSON on stderr. */
  logger?: Logger;
  /** Default: a new registry. The sink's and the bridge's metrics land here. */
  registry?: Registry;
  /** Do not call `instance.start()` (the caller runs `instance.once()` instead). */
  deferStart?: boolean;
}

/** A bridge running in this process. */
export interface RunningBridge {
  readonly sink: Sink;
  readonly instance: BridgeInstance;
  readonly registry: Registry;
  /** Every reported channel connected and the sink not refusing data. */
  readiness(): Readiness;
  /** Stops the bridge, then (if it owns the sink) drains and closes the sink. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs a bridge in-process: creates the sink from the file's `sink` section (unless given),
 * the bridge context, and starts the bridge. The library way to do what the command does.
 */
export async function startBridge<D extends BridgeDefinition>(
  definition: D,
  config: FileConfig<D>,
  options: StartBridgeOptions = {},
): Promise<RunningBridge> {
  const registry = options.registry ?? new Registry();
  const logger = options.logger ?? createLogger({ name: `bridge-${definition.name}` });
  const ownSink = !options.sink;
  const sink = options.sink ?? createSink({ ...sinkOptionsFromConfig(config), agentVersion: agentVersionOf(definition), logger, registry });
  const states = new Map<string, SourceState>();
  const abort = new AbortController();
  const registers = [registry];
  const connected = new Gauge({ name: 'fieldbridge_source_connected', help: '1 when the channel is connected.', labelNames: ['channel'], registers });
  const skipped = new Counter({ name: 'fieldbridge_polls_skipped_total', help: 'Polls skipped because the spool is full under when_full: block.', registers });

  const ctx: BridgeContext = {
    sink,
    logger,
    registry,
    clock: sink.clock,
    problems: createProblemReporter(logger),
    setSourceState(channel, state) {
      const previous = states.get(channel);
      states.set(channel, state);
      connected.set({ channel }, state === 'connected' ? 1 : 0);
      if (previous !== state) logger.info({ channel, state }, `${channel}: ${state}`);
    },
    shouldSkipPoll() {
      if (!sink.status().backpressured) return false;
      skipped.inc();
      return true;
    },
    signal: abort.signal,
  };

  const instance = definition.create(config[definition.name as D['name']], ctx);
  const configure = async (request: unknown): Promise<unknown> => {
    if (!instance.configure) {
      throw new FieldbridgeError('CONFIGURE_UNSUPPORTED', `bridge-${definition.name} does not accept configure requests; change its mapping file and send SIGHUP instead`);
    }
    logger.info('configure request from the server: handing it to the bridge');
    return instance.configure(request);
  };
  sink.onConfigure?.(configure);
  if (!options.deferStart) await instance.start();

  let stopping: Promise<void> | undefined;
  return {
    sink,
    instance,
    registry,
    readiness() {
      const status = sink.status();
      const channels = Object.fromEntries(states);
      const sourceReady = [...states.values()].every((s) => s === 'connected');
      return {
        ready: sourceReady && !status.refused && status.accepting,
        details: { channels, sink: { refused: status.refused, backpressured: status.backpressured, spooled_points: status.spool.points } },
      };
    },
    stop() {
      stopping ??= (async () => {
        abort.abort();
        sink.onConfigure?.(undefined);
        await instance.stop();
        if (ownSink) await sink.close();
      })();
      return stopping;
    },
  };
}

/** `agent_version` sent over WebSocket: `bridge-<name>/<version>`. */
export function agentVersionOf(definition: BridgeDefinition): string {
  return `bridge-${definition.name}/${definition.version}`;
}
