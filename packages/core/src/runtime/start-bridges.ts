import { Registry } from 'prom-client';
import { presentSections, type MultiFileConfig } from '../config/file-schema.js';
import { FieldbridgeError } from '../errors.js';
import type { Readiness } from '../observe/observe-server.js';
import { createLogger } from '../shared/logger.js';
import { createSink } from '../sink/create-sink.js';
import type { Sink } from '../sink/sink-types.js';
import type { BridgeDefinition } from './define-bridge.js';
import type { RuleSet } from '../rules/rule-set.js';
import { fileDefaultsFor, markSinkOfFile } from './_file-defaults.js';
import { forgetConnected } from '../bridge/source-metrics.js';
import { ruleSetFor } from './rules-from-config.js';
import { writerSwitch } from './_writer-switch.js';
import { sinkOptionsFromConfig } from './sink-from-config.js';
import { agentVersionOf, startBridge, type OnceReport, type RunningBridge, type StartBridgeOptions } from './start-bridge.js';

/** Bridges of one mapping file running in this process on one sink. */
export interface RunningBridges {
  readonly sink: Sink;
  /** The running bridges, in the order of the definitions given. */
  readonly bridges: readonly RunningBridge[];
  /** One registry for the sink's metrics (when it created the sink) and every bridge's. */
  readonly registry: Registry;
  /** The file's alert rules (and the library's), shared by every bridge; undefined when there are none and no `ruleExchange`. */
  readonly rules: RuleSet | undefined;
  /**
   * Puts the rules of `config` (a reload of the file, which changed nothing the bridges read but
   * its `rules:`) in place of the running ones, under the running bridges: they go on reading,
   * their connections kept, and an unchanged rule keeps its state (see `previousRules`). Throws,
   * the running rules kept, when the new ones cannot be made.
   */
  replaceRules(config: MultiFileConfig): void;
  /**
   * Applies the sections of `config`, a reload of the file that holds the same sections and
   * changes nothing else the bridges read (its rules put in place by `replaceRules` first): each
   * bridge whose section changed (or that a configure request changed) is stopped and started
   * again from it, the others run on with their connections. Resolves with the names of the
   * bridges started again. Not for bridges whose source runs out (`ended`): a reload starts those anew.
   */
  applySections(config: MultiFileConfig): Promise<string[]>;
  /** Ready when every bridge is; the details name each bridge's. */
  readiness(): Readiness;
  /** Every bridge's `once()` at the same time; the silent channels are named `<bridge>/<channel>`. */
  once(timeoutMs?: number): Promise<OnceReport>;
  /** Stops every bridge, then (if it owns the sink) drains and closes the sink. Idempotent. */
  stop(): Promise<void>;
  /**
   * Present when every bridge's source runs out (`BridgeInstance.ended`): resolves once all
   * have, with their lines joined. A bridge that reads until stopped keeps the run going.
   */
  readonly ended?: Promise<string>;
}

/** Options of {@link startBridges}: those of `startBridge`, for all of them. */
export type StartBridgesOptions = Omit<StartBridgeOptions, 'sourceTags' | 'takeConfigure' | 'ruleSet' | 'writeTo'>;

/**
 * Runs every bridge whose section `config` holds, in one process with one sink (and so one
 * spool): a file with `modbus:` and `mqtt:` side by side. With more than one bridge, each
 * point is tagged with its `bridge` and `channel` (under the point's own tags), and a
 * `configure` request goes to the bridge it names (`{"bridge": "modbus", ...}`) or to the only
 * bridge that takes them. With one section this is `startBridge`.
 */
export async function startBridges(definitions: readonly BridgeDefinition[], config: MultiFileConfig, options: StartBridgesOptions = {}): Promise<RunningBridges> {
  const present = presentSections(definitions, config);
  if (present.length === 0) throw new FieldbridgeError('OPTIONS_INVALID', `the mapping holds none of the sections ${definitions.map((d) => d.name).join(', ')}`);
  const registry = options.registry ?? new Registry();
  const logger = options.logger ?? createLogger({ name: 'fieldbridge' });
  const ownSink = !options.sink;
  const sink = options.sink ?? markSinkOfFile(createSink({ ...sinkOptionsFromConfig(config), agentVersion: agentVersionsOf(present), logger, registry }), config);
  const fileDefaults = fileDefaultsFor(sink, config);
  const several = present.length > 1;
  const bridges: RunningBridge[] = [];
  let rules: RuleSet | undefined;
  // The bridges write into this, so that a reload can put new rules under them (`replaceRules`).
  const into = writerSwitch(sink);
  // What made the rule set stays here: a bridge holding the replaced set would keep every set before it.
  const { ruleExchange: exchange, previousRules: _previous, ...forEach } = options;
  const ruleDeps = { sink, logger, registry, fileDefaults };
  const start = (definition: BridgeDefinition, from: MultiFileConfig): Promise<RunningBridge> =>
    startBridge(definition, from as never, {
      ...forEach,
      sink,
      registry,
      logger: several ? logger.child({ bridge: definition.name }) : logger,
      sourceTags: several,
      takeConfigure: !several,
      ...(rules ? { ruleSet: rules } : {}),
      writeTo: into,
    });
  // The file as the running bridges read it: a reload compares each section with it.
  let running = config;
  try {
    rules = ruleSetFor(config, options, ruleDeps);
    into.to(rules ?? sink);
    for (const definition of present) bridges.push(await start(definition, config));
  } catch (err) {
    await Promise.all(bridges.map((b) => b.stop()));
    rules?.stop();
    if (ownSink) await sink.close();
    throw err;
  }
  if (several) sink.onConfigure?.((request) => routeConfigure(bridges, present, request));

  function replaceRules(next: MultiFileConfig): void {
    const asked = { ...(forEach.rules ? { rules: forEach.rules } : {}), ...(exchange ? { ruleExchange: exchange } : {}), ...(rules ? { previousRules: rules } : {}) };
    rules = ruleSetFor(next, asked, ruleDeps);
    into.to(rules ?? sink);
  }

  let stopping: Promise<void> | undefined;
  const endings = bridges.map((b) => b.instance.ended);
  const ended = endings.every((e) => e !== undefined)
    ? Promise.all(endings).then((lines) => (several ? lines.map((line, i) => `${present[i]!.name}: ${line}`).join('; ') : lines[0]!))
    : undefined;
  return {
    sink,
    bridges,
    registry,
    get rules() {
      return rules;
    },
    replaceRules,
    async applySections(next) {
      const restarted: string[] = [];
      for (const [i, definition] of present.entries()) {
        const section = (c: MultiFileConfig): string => JSON.stringify((c as Record<string, unknown>)[definition.name]);
        if (section(next) === section(running) && !bridges[i]!.reconfigured()) continue;
        const { details } = bridges[i]!.readiness();
        await bridges[i]!.stop();
        forgetConnected(registry, definition.name, [...Object.keys(details.channels ?? {}), ...Object.keys(details.optional_channels ?? {})]);
        bridges[i] = await start(definition, next);
        restarted.push(definition.name);
      }
      running = next;
      return restarted;
    },
    ...(ended ? { ended } : {}),
    readiness() {
      if (!several) return bridges[0]!.readiness();
      const each = bridges.map((b, i) => [present[i]!.name, b.readiness()] as const);
      return { ready: each.every(([, r]) => r.ready), details: { bridges: Object.fromEntries(each.map(([name, r]) => [name, { ready: r.ready, ...r.details }])) } };
    },
    async once(timeoutMs) {
      const reports = await Promise.all(bridges.map((b) => b.once(timeoutMs)));
      return { silent: reports.flatMap((r, i) => (several ? r.silent.map((c) => `${present[i]!.name}/${c}`) : r.silent)) };
    },
    stop() {
      stopping ??= (async () => {
        if (several) sink.onConfigure?.(undefined);
        await Promise.all(bridges.map((b) => b.stop()));
        rules?.stop();
        if (ownSink) await sink.close();
      })();
      return stopping;
    },
  };
}

/** `agent_version` of bridges sharing a sink: their product tokens, space-separated. */
export function agentVersionsOf(definitions: readonly BridgeDefinition[]): string {
  return definitions.map(agentVersionOf).join(' ');
}

/** Hands a configure request to the bridge it names, or to the only one that takes them; `bridges` as running now (a reload may have replaced some). */
async function routeConfigure(bridges: readonly RunningBridge[], definitions: readonly BridgeDefinition[], request: unknown): Promise<unknown> {
  const takers = definitions.map((d, i) => ({ name: d.name, bridge: bridges[i]! })).filter((t) => t.bridge.instance.configure);
  const named = typeof request === 'object' && request !== null ? (request as { bridge?: unknown }).bridge : undefined;
  const target = typeof named === 'string' ? takers.find((t) => t.name === named) : takers.length === 1 ? takers[0] : undefined;
  if (!target) {
    const which = takers.length === 0 ? 'none of the bridges here accepts configure requests; change the mapping file and send SIGHUP instead' : `name the bridge: {"bridge": "${takers.map((t) => t.name).join('" | "')}", ...}`;
    throw new FieldbridgeError('CONFIGURE_UNSUPPORTED', typeof named === 'string' && !takers.some((t) => t.name === named) ? `no bridge "${named}" here takes configure requests` : which);
  }
  const { bridge: _name, ...rest } = request as Record<string, unknown>;
  return target.bridge.configure(typeof named === 'string' ? rest : request);
}
