import { devNull } from 'node:os';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { clockSeedOf } from '../clock/create-clock.js';
import { presentSections, type MultiFileConfig } from '../config/file-schema.js';
import { FieldbridgeError } from '../errors.js';
import { startObserveServer, type ObserveServer, type Readiness } from '../observe/observe-server.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { markSinkOfFile } from '../runtime/_file-defaults.js';
import { sinkOptionsFromConfig } from '../runtime/sink-from-config.js';
import type { RuleExchange } from '../rules/rule-exchange.js';
import type { RuleSet } from '../rules/rule-set.js';
import { agentVersionsOf, type RunningBridges, type StartBridgesOptions } from '../runtime/start-bridges.js';
import { createSink } from '../sink/create-sink.js';
import { createSpool } from '../spool/create-spool.js';
import type { Spool } from '../spool/spool.js';
import type { Sink, SinkCloseReport } from '../sink/sink-types.js';
import type { MappingRead } from './mapping-read.js';
import type { CliIo } from './parse-args.js';

/** What a running service holds; SIGHUP swaps parts of it. */
export interface ServiceState {
  config: MultiFileConfig;
  /** The bridges the running configuration may hold; those whose section is present run. */
  definitions: readonly BridgeDefinition[];
  sink: Sink;
  sinkRegistry: Registry;
  /** Undefined until the bridges have started. */
  bridge: RunningBridges | undefined;
  observe: ObserveServer | undefined;
  /** The running sink's memory spool, when the service made one (see {@link makeSink}). */
  memorySpool?: Spool;
  /** Sinks a reload replaced, still delivering what they held; each resolves with what it left. */
  retiring: Set<Promise<SinkCloseReport>>;
  /** What the bridges keep across reloads (`BridgeContext.acrossReloads`), for the whole run. */
  reloadState: Map<string, unknown>;
}

/** How a service builds its parts. */
export interface ServiceParts {
  /** The command, for messages: `bridge-modbus`, `fieldbridge`. */
  command: string;
  logger: Logger;
  io: CliIo;
  dryRun: boolean;
  session: string | undefined;
  /** The exchange of a run of several files (`fieldbridge run a.yaml b.yaml`): their rules that list `sources:` read each other's points. */
  ruleExchange?: RuleExchange;
  /** Told of every bridge started (the first, and each one a reload starts). */
  started?(bridges: RunningBridges): void;
  /** Told of each mapping a reload applied (not of one it refused). */
  reloaded?(read: MappingRead): void;
}

/**
 * How the service starts its file's bridges (at start, and each time a reload does): on the
 * running sink, with the run's rule exchange and what bridges keep across reloads
 * (`acrossReloads`), and after a reload the rules of the bridges it replaced (`previousRules`),
 * so unchanged rules keep their state.
 */
export function bridgeOptions(p: ServiceParts, state: ServiceState, previousRules?: RuleSet): StartBridgesOptions {
  return { sink: state.sink, logger: p.logger, reloadState: state.reloadState, ...(p.dryRun ? { dryRun: true } : {}), ...(p.ruleExchange ? { ruleExchange: p.ruleExchange } : {}), ...(previousRules ? { previousRules } : {}) };
}

/** A sink the service made, with the memory spool it made for it (none for a disk spool or a dry run). */
export interface MadeSink {
  sink: Sink;
  registry: Registry;
  /** Made here so that a reload's next sink can take it over with what it holds. */
  memorySpool?: Spool;
}

/**
 * A sink for `read`'s configuration on a fresh registry (the process metrics included), sending
 * the `agent_version` of its bridges. Without `buffer.path` its memory spool is `memorySpool`
 * when given (handed over by the sink a reload replaces), else a new one. `replaces`: the sink a
 * reload replaces, whose clock's estimate and run the new one starts from (rules kept across the
 * reload read their readings' stamps on it; the provisional stamps it left in the spool are moved
 * by the new one's clock).
 */
export function makeSink(p: ServiceParts, read: MappingRead, memorySpool?: Spool, replaces?: Sink): MadeSink {
  const cfg = read.config;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (p.dryRun) {
    // A dry run writes nothing to disk: a refused point is logged and counted, not dead-lettered.
    return { sink: markSinkOfFile(createSink({ url: 'stdout', sourceId: cfg.source_id, tags: cfg.tags, batch: { lingerMs: 100 }, session: p.session, logger: p.logger, registry, stdout: p.io.stdout, deadLetterPath: devNull }), cfg), registry };
  }
  const options = sinkOptionsFromConfig(cfg);
  const { path, durability: _durability, ...limits } = options.buffer ?? {};
  const spool = path === undefined ? (memorySpool ?? createSpool(limits)) : undefined;
  // Made with the file's source_id and tags: the bridges on it need not add them to each point.
  const clockSeed = replaces ? clockSeedOf(replaces.clock) : undefined;
  const sink = markSinkOfFile(createSink({ ...options, ...(spool ? { spool } : {}), ...(clockSeed ? { clockSeed } : {}), ...(replaces?.run ? { run: replaces.run } : {}), env: p.io.env, session: p.session, agentVersion: agentVersionsOf(presentSections(read.definitions, cfg)), logger: p.logger, registry }), cfg);
  return { sink, registry, ...(spool ? { memorySpool: spool } : {}) };
}

/**
 * Starts `/healthz`, `/readyz` and `/metrics` on `listen`, reading whatever the state holds when
 * asked (a reload swaps the sink and the bridge behind it). Throws `OBSERVE_FAILED` saying what
 * to do when the address cannot be used (taken by another bridge, not an address of this host).
 */
export async function startObserve(listen: string, state: ServiceState): Promise<ObserveServer> {
  try {
    return await startObserveServer({
      listen,
      registry: () => Registry.merge([state.sinkRegistry, ...(state.bridge ? [state.bridge.registry] : [])]),
      readiness: (): Readiness => state.bridge?.readiness() ?? { ready: false, details: { starting: true } },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use (another bridge with the same observe.listen?); give each bridge its own port'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? 'that is not an address of this host'
          : code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : (err as Error).message;
    throw new FieldbridgeError('OBSERVE_FAILED', `observe.listen ${listen}: ${why}`, { cause: err });
  }
}
