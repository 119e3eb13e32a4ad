import { presentSections, type MultiFileConfig } from '../config/file-schema.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Registry } from 'prom-client';
import { agentVersionOf } from '../runtime/start-bridge.js';
import { agentVersionsOf, startBridges, type RunningBridges } from '../runtime/start-bridges.js';
import type { ObserveServer } from '../observe/observe-server.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../sink/sink-options.js';
import type { Sink } from '../sink/sink-types.js';
import type { MappingRead } from './mapping-read.js';
import { addCounters, readCounters, type CounterValues } from './_carry-counters.js';
import { bridgeOptions, makeSink, startObserve, type MadeSink, type ServiceParts, type ServiceState } from './_service-state.js';

/** The part of a mapping that needs a new sink when it changes: over WebSocket, the bridges it sends as `agent_version` too. */
const sinkPart = ({ config: c, definitions }: MappingRead): string =>
  JSON.stringify([c.source_id, c.tags, c.sink, /^wss?:/i.test(c.sink.url) ? agentVersionsOf(presentSections(definitions, c)) : '']);

/**
 * What every bridge of a mapping reads besides its own section and the sink: which bridges its
 * sections name (by version), and the rest of the file but `rules:` (which a reload puts under
 * running bridges), `observe:` and `log:` (read at the start only).
 */
const sharedPart = ({ config: c, definitions }: MappingRead): string => {
  const present = presentSections(definitions, c);
  const rest: Record<string, unknown> = { ...c };
  for (const key of ['rules', 'observe', 'log', ...present.map((d) => d.name)]) delete rest[key];
  return JSON.stringify([present.map(agentVersionOf), rest]);
};

/** The disk spool's directory, when the file has one (a dry run's sink has none). */
const spoolPath = (p: ServiceParts, c: MultiFileConfig): string | undefined => (p.dryRun ? undefined : c.sink.buffer?.path);

/**
 * Applies a mapping file reloaded on SIGHUP, or none of it: an invalid file, an `observe.listen`
 * that cannot be used, or a sink that cannot be opened (a spool path another bridge holds) is
 * refused with the reason, and the running configuration is restored. The file may name other
 * bridges than before (`load` says which): the bridges of the sections it holds then run. The
 * spool is kept unless the sink section changed; when it did, reading goes on with hardly a gap
 * (see {@link swapSink}). With the same sink and sections, only the bridges whose section changed
 * start again, and the others read on with their connections under the file's new rules.
 */
export async function reload(p: ServiceParts, state: ServiceState, load: () => MappingRead | Promise<MappingRead>): Promise<void> {
  let read: MappingRead;
  try {
    read = await load();
  } catch (err) {
    p.logger.error({ err }, 'SIGHUP: the mapping file is invalid; keeping the running configuration');
    return;
  }
  const next = read.config;
  const previous = state.config;
  const listen = next.observe && !p.dryRun ? next.observe.listen : undefined;
  const oldListen = previous.observe && !p.dryRun ? previous.observe.listen : undefined;
  const newObserve = listen !== undefined && listen !== oldListen ? await startObserve(listen, state).catch((err: unknown) => err as Error) : undefined;
  if (newObserve instanceof Error) {
    p.logger.error({ err: newObserve }, `SIGHUP: ${newObserve.message}; keeping the running configuration`);
    return;
  }
  const sinkChanged = sinkPart(read) !== sinkPart({ config: previous, definitions: state.definitions });
  if (next.log?.level !== previous.log?.level) {
    p.logger.warn(`SIGHUP: log.level changed to ${next.log?.level ?? 'info (the default)'}, which takes effect at the next start: a reload keeps the process's logger`);
  }
  // The same sink and sections: only the bridges whose section changed start again (a source that runs out is replayed anew).
  if (!sinkChanged && state.bridge && !state.bridge.ended && sharedPart(read) === sharedPart({ config: previous, definitions: state.definitions })) {
    try {
      state.bridge.replaceRules(next);
    } catch (err) {
      await newObserve?.close();
      p.logger.error({ err }, `SIGHUP: the new rules cannot be used (${(err as Error).message}); keeping the running configuration`);
      return;
    }
    const restarted = await state.bridge.applySections(next);
    state.config = next;
    state.definitions = read.definitions;
    p.reloaded?.(read);
    await swapObserve(p, state, listen, oldListen, newObserve);
    p.logger.info({ restarted }, `SIGHUP: mapping reloaded; ${describeRestarted(restarted, presentSections(read.definitions, next).length)}`);
    return;
  }
  // The running rules: one the file keeps unchanged goes on with its state (the new set logs which).
  const rules = state.bridge?.rules;
  const counted = state.bridge?.registry;
  if (sinkChanged && !(await swapSink(p, state, read, rules, counted))) {
    await newObserve?.close();
    return;
  }
  if (!sinkChanged) await stopBridges(state);
  state.config = next;
  state.definitions = read.definitions;
  state.bridge = await restartBridges(p, state, read, rules, counted);
  p.reloaded?.(read);
  p.started?.(state.bridge);
  await swapObserve(p, state, listen, oldListen, newObserve);
  p.logger.info(sinkChanged ? 'SIGHUP: mapping reloaded (with a new sink)' : 'SIGHUP: mapping reloaded; the bridges restarted, the spool kept');
}

/** What a reload that kept the sink did to the bridges: `restarted` of `count` started again. */
function describeRestarted(restarted: readonly string[], count: number): string {
  if (restarted.length === 0) return 'the bridges run on, their connections kept (nothing they read changed)';
  if (restarted.length === count) return 'the bridges restarted, the spool kept';
  return `bridge-${restarted.join(', bridge-')} restarted from ${restarted.length === 1 ? 'its section' : 'their sections'}, the others run on with their connections; the spool kept`;
}

/** The observe server on the reloaded file's `observe.listen`: `started` there, or none when the file has none. */
async function swapObserve(p: ServiceParts, state: ServiceState, listen: string | undefined, oldListen: string | undefined, started: ObserveServer | undefined): Promise<void> {
  if (listen === oldListen) return;
  await state.observe?.close();
  state.observe = started;
  if (started) p.logger.info({ url: started.url }, `health and metrics now on ${started.url}/metrics`);
}

async function stopBridges(state: ServiceState): Promise<void> {
  await state.bridge?.stop();
  state.bridge = undefined;
}

/**
 * Starts the bridges of `read` on the state's sink, their counters going on from those of the
 * bridges they replace (`counted`, read once those stopped): a dashboard's totals only grow, and
 * a counter of a channel or rule the file no longer has is left behind.
 */
async function restartBridges(p: ServiceParts, state: ServiceState, read: MappingRead, rules: RuleSet | undefined, counted: Registry | undefined): Promise<RunningBridges> {
  const started = await startBridges(read.definitions, read.config, bridgeOptions(p, state, rules));
  if (counted) addCounters(started.registry, await readCounters(counted));
  return started;
}

/**
 * Puts a sink for `read` in place of the running one, the bridges stopped (the caller starts
 * them on it); false, with everything as it was, when the new sink cannot be made.
 *
 * Reading must not wait for delivery (an outage would stop the polls for the whole shutdown
 * timeout), and what the running sink holds must not be lost. A spool the new sink can use as it
 * is (the same disk file, or a memory spool with the same limits) is handed over at once: what is
 * undelivered in it, the new sink sends. Otherwise the new sink is made while the running one
 * goes on, and the old one delivers what it holds in the background (at most the shutdown
 * timeout; the stop waits for it).
 */
async function swapSink(p: ServiceParts, state: ServiceState, read: MappingRead, rules: RuleSet | undefined, counted: Registry | undefined): Promise<boolean> {
  const next = read.config;
  const previous = state.config;
  const running: MappingRead = { config: previous, definitions: state.definitions };
  const oldSink = state.sink;
  const oldPath = spoolPath(p, previous);
  // The new sink's counters go on from the old one's (read once the old one stopped taking data).
  const install = async (made: MadeSink): Promise<CounterValues> => {
    const carried = await readCounters(state.sinkRegistry);
    addCounters(made.registry, carried);
    state.sink = made.sink;
    state.sinkRegistry = made.registry;
    state.memorySpool = made.memorySpool;
    return carried;
  };
  const refused = (err: unknown): false => {
    p.logger.error({ err }, `SIGHUP: the new sink cannot be used (${(err as Error).message}); keeping the running configuration`);
    return false;
  };
  const memory = state.memorySpool !== undefined && spoolPath(p, next) === undefined && limitsOf(next) === limitsOf(previous) ? state.memorySpool : undefined;
  if ((oldPath !== undefined && oldPath === spoolPath(p, next)) || memory !== undefined) {
    await stopBridges(state);
    await oldSink.close({ timeoutMs: 0, keepSpool: memory !== undefined, handOver: true });
    let made: MadeSink;
    try {
      made = makeSink(p, read, memory, oldSink);
    } catch (err) {
      await install(makeSink(p, running, memory, oldSink));
      state.bridge = await restartBridges(p, state, running, rules, counted);
      p.started?.(state.bridge);
      return refused(err);
    }
    await install(made);
    return true;
  }
  let made: MadeSink;
  try {
    made = makeSink(p, read, undefined, oldSink);
  } catch (err) {
    return refused(err);
  }
  await stopBridges(state);
  const oldRegistry = state.sinkRegistry;
  const carried = await install(made);
  retire(p, state, oldSink, oldPath, previous.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, () =>
    // What the old sink delivered (or dropped) in the background counts on the sink running then.
    readCounters(oldRegistry).then((now) => addCounters(state.sinkRegistry, now, carried)),
  );
  return true;
}

/** A memory spool's limits as the file sets them: the spool handed over keeps its own. */
const limitsOf = (c: MultiFileConfig): string => JSON.stringify([c.sink.buffer?.max_bytes, c.sink.buffer?.when_full, c.sink.buffer?.max_age]);

/**
 * The replaced sink delivers what it holds in the background; the stop waits for it. `closed`
 * runs once it is done (its counters are carried over).
 */
function retire(p: ServiceParts, state: ServiceState, sink: Sink, path: string | undefined, timeoutMs: number, closed: () => Promise<void>): void {
  const closing = sink.close({ timeoutMs }).then(async (left) => {
    await closed().catch(() => undefined);
    state.retiring.delete(closing);
    if (left.kept > 0) p.logger.warn({ points: left.kept, path }, `SIGHUP: ${left.kept} points the replaced sink could not deliver stay in its spool at ${path}, which this run no longer reads: a run with buffer.path ${path} sends them`);
    return left;
  });
  state.retiring.add(closing);
}
