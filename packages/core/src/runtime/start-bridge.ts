import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createSourceMetrics } from '../bridge/source-metrics.js';
import type { FileConfig } from '../config/file-schema.js';
import { FieldbridgeError } from '../errors.js';
import type { Readiness } from '../observe/observe-server.js';
import type { Point } from '../point/point.js';
import { createLogger } from '../shared/logger.js';
import { createProblemReporter } from '../shared/problems.js';
import { sleep } from '../shared/wait.js';
import { createSink } from '../sink/create-sink.js';
import type { PointWriter, Sink } from '../sink/sink-types.js';
import type { RuleExchange } from '../rules/rule-exchange.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Rule } from '../rules/rule-types.js';
import { createChannels } from './_channels.js';
import { runOnce } from './_once-run.js';
import { readinessOf } from './_readiness.js';
import { taggedWriter } from './_tagged-writer.js';
import { keptAcrossReloads } from './_reload-state.js';
import { keepOpenIn, letGoAll, releaseKept } from './kept-open.js';
import type { BridgeContext, BridgeDefinition, BridgeInstance, Channel } from './define-bridge.js';
import { fileDefaultsFor, markSinkOfFile } from './_file-defaults.js';
import { ruleSetFor } from './rules-from-config.js';
import { sinkOptionsFromConfig } from './sink-from-config.js';

/** Options of {@link startBridge}. */
export interface StartBridgeOptions {
  /**
   * Use this sink instead of creating one from the file's `sink` section (it is then not closed
   * by `stop()`). The file's `source_id` (for points that carry none) and `tags` (under the
   * point's own and those of `tags`) still apply to this bridge's points and alert events: the
   * bridge adds them itself, as the sink it would have made does.
   */
  sink?: Sink;
  /** Default: info-level JSON on stderr. */
  logger?: Logger;
  /** Default: a new registry. The sink's and the bridge's metrics land here. */
  registry?: Registry;
  /** Do not call `instance.start()` (the caller runs `once()` instead): a `--once` cycle (`BridgeContext.once`). */
  deferStart?: boolean;
  /** Tags added to every point this bridge emits, under the point's own. */
  tags?: Record<string, string>;
  /**
   * Tag every point with `bridge` (this bridge's name) and, when emitted on a channel, `channel`
   * (under the point's own tags): set when several bridges share one sink.
   */
  sourceTags?: boolean;
  /**
   * Hand the sink's `configure` requests to this bridge. Default true; `startBridges` routes
   * them itself.
   */
  takeConfigure?: boolean;
  /** Alert rules made with `createRule`, evaluated on every point with the file's `rules:`. Default none. */
  rules?: readonly Rule[];
  /**
   * The rule set every point goes through (`startBridges` shares one between bridges on a sink).
   * Default: one of the file's `rules:` and `rules`, stopped by `stop()`; none when there are none.
   */
  ruleSet?: RuleSet;
  /**
   * Where the bridge's points go instead of `ruleSet` (or the sink when there is none): a writer
   * that passes them on to it. `startBridges` gives its bridges a switch, which a reload that
   * changes only the rules turns to the new set while the bridges run on (`RunningBridges.replaceRules`).
   */
  writeTo?: PointWriter;
  /**
   * The exchange of a run of several mapping files (`createRuleExchange()`, one for the run, passed
   * to each file's start): a rule that lists `sources:` also reads the points the other files' sinks
   * took from the sources it lists, its events still going to its own file's sink; a rule without
   * `sources:` reads only its own file's points. Default: none, each file's rules on its own points.
   */
  ruleExchange?: RuleExchange;
  /**
   * The rule set of the bridge(s) this start replaces (a reload: `RunningBridge.rules` of the one
   * stopped): a rule that comes again with the same name and definition keeps its state (pending
   * and firing alerts, values, last-seen times); a changed or removed one that was firing is
   * resolved (`by: "reload"`). Default: none, every rule starts over.
   */
  previousRules?: RuleSet;
  /**
   * What bridges keep across reloads (`BridgeContext.acrossReloads`, `keepOpen`): give the same map
   * to every start in one run, as the command does at each SIGHUP; then call `releaseUnheld(map)`
   * once a reload's bridges run and `releaseKept(map)` when the run ends, or what the bridges keep
   * open (sockets) stays open. Default: a new one (nothing carried; what is kept open closes at `stop()`).
   */
  reloadState?: Map<string, unknown>;
  /** A trial run (`--dry-run`): see `BridgeContext.dryRun`. Default false. */
  dryRun?: boolean;
}

/** What `once()` found. */
export interface OnceReport {
  /** Required channels that delivered nothing before the timeout (push sources). */
  silent: string[];
}

/** A bridge running in this process. */
export interface RunningBridge {
  readonly sink: Sink;
  readonly instance: BridgeInstance;
  readonly registry: Registry;
  /**
   * The alert rules every point goes through (`listen` to a rule for its events); undefined when
   * there are none and no `ruleExchange`. A bridge of `startBridges` holds the set it started
   * with: the set running after a reload is `RunningBridges.rules`.
   */
  readonly rules: RuleSet | undefined;
  /**
   * Hands a configure request (a dashboard's, `configure {config}` on the wire) to the bridge;
   * rejects `CONFIGURE_UNSUPPORTED` when it takes none.
   */
  configure(request: unknown): Promise<unknown>;
  /**
   * Whether a configure request changed the bridge since it started: it no longer runs as its
   * file says, and a reload starts it again from the file (as `configure` answers promise).
   */
  reconfigured(): boolean;
  /** Every required channel connected and the sink not refusing data. */
  readiness(): Readiness;
  /**
   * One read, then resolves (the bridge is left started for push sources; call `stop()`): a
   * poller's cycle, or for a push source, until every required channel emitted or failed, at
   * most `timeoutMs` (default: the definition's, else 10 000) or until the source `ended`. Rejects `BRIDGE_FAILED` when no
   * required channel ever connected or every one failed.
   */
  once(timeoutMs?: number): Promise<OnceReport>;
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
  const sink = options.sink ?? markSinkOfFile(createSink({ ...sinkOptionsFromConfig(config), agentVersion: agentVersionOf(definition), logger, registry }), config);
  // Undefined when the sink stamps them already (made here, or for this file by startBridges or the command).
  const fileDefaults = fileDefaultsFor(sink, config);
  const abort = new AbortController();
  const metrics = createSourceMetrics(registry, definition.name);
  const channels = createChannels(metrics, logger);
  const ownRules = !options.ruleSet;
  let rules: RuleSet | undefined;
  try {
    rules = options.ruleSet ?? ruleSetFor(config, options, { sink, logger, registry, fileDefaults });
  } catch (err) {
    // Rules refused (two of one name, too many tags with the file's): the sink made here goes too.
    if (ownSink) await sink.close();
    throw err;
  }
  // With rules, every point is written and then shown to them: one lookup for a metric none reads.
  const tagged = taggedWriter(options.writeTo ?? rules ?? sink, definition.name, options, fileDefaults);
  const reloadState = options.reloadState ?? new Map<string, unknown>();
  // Without a run's map no start can follow this one: what the bridge keeps open closes with it.
  const sharedState = options.reloadState !== undefined;
  const holder = {};

  const problems = createProblemReporter(logger);
  const ctx: BridgeContext = {
    emit(channel: Channel | string, points: readonly Point[]) {
      const name = typeof channel === 'string' ? channel : channel.name;
      const write = tagged.forChannel(name);
      for (const point of points) write(point);
      if (points.length === 0) return;
      metrics.points(name, points.length);
      channels.emitted(name);
    },
    channel: (name, channelOptions) => channels.open(name, channelOptions),
    flow: {
      blocked: () => sink.status().backpressured,
      whenOpen: async (signal) => {
        if (!sink.status().backpressured) return;
        if (sink.whenWritable) return sink.whenWritable(signal);
        while (sink.status().backpressured && !signal?.aborted) await sleep(100, signal ?? abort.signal);
      },
    },
    metrics,
    sink: tagged.direct,
    logger,
    registry,
    clock: sink.clock,
    problems,
    signal: abort.signal,
    dryRun: options.dryRun === true,
    once: options.deferStart === true,
    sourceId: config.source_id,
    ...(config.sink?.buffer?.path === undefined ? {} : { stateDir: config.sink.buffer.path }),
    acrossReloads: <T>(key: string, make: () => T): T => keptAcrossReloads(reloadState, `${definition.name}:${key}`, make),
    keepOpen: (key, keep) => keepOpenIn(reloadState, holder, `${definition.name}:${key}`, keep, sharedState),
  };
  /** The bridge is gone: what it still holds open is let go, and closed when no later start can take it up. */
  const letGo = async (): Promise<void> => {
    letGoAll(reloadState, holder);
    if (!sharedState) await releaseKept(reloadState).catch((err: unknown) => logger.warn({ err }, `bridge-${definition.name}: ${(err as Error).message}`));
  };

  const section = config[definition.name as D['name']];
  let instance: BridgeInstance;
  try {
    instance = definition.create(section, ctx);
  } catch (err) {
    if (ownRules) rules?.stop();
    throw err;
  }
  let reconfigured = false;
  const configure = async (request: unknown): Promise<unknown> => {
    if (!instance.configure) {
      throw new FieldbridgeError('CONFIGURE_UNSUPPORTED', `bridge-${definition.name} does not accept configure requests; change its mapping file and send SIGHUP instead`);
    }
    logger.info('configure request from the server: handing it to the bridge');
    const answer = await instance.configure(request);
    reconfigured = true;
    return answer;
  };
  const takeConfigure = options.takeConfigure !== false;
  if (takeConfigure) sink.onConfigure?.(configure);
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    await instance.start();
  };
  if (!options.deferStart) {
    try {
      await start();
    } catch (err) {
      await letGo();
      if (ownRules) rules?.stop();
      throw err;
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    sink,
    instance,
    registry,
    rules,
    configure,
    reconfigured: () => reconfigured,
    readiness: () => readinessOf(sink, channels),
    once: (timeoutMs) =>
      runOnce({ definition, section, instance, start, channels, problems, logger, signal: abort.signal }, timeoutMs),
    stop() {
      stopping ??= (async () => {
        abort.abort();
        if (takeConfigure) sink.onConfigure?.(undefined);
        await instance.stop();
        await letGo();
        metrics.release();
        // Before the sink closes: a rule's timer must not write into a closed sink.
        if (ownRules) rules?.stop();
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
