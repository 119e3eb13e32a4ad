import type { MultiFileConfig } from '../config/file-schema.js';
import { startBridges } from '../runtime/start-bridges.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../sink/sink-options.js';
import type { Sink } from '../sink/sink-types.js';
import { makeSink, startObserve, type MadeSink, type ServiceParts, type ServiceState } from './_service-state.js';

/** The part of a mapping that needs a new sink when it changes. */
const sinkPart = (c: MultiFileConfig): string => JSON.stringify([c.source_id, c.tags, c.sink]);

/** The disk spool's directory, when the file has one (a dry run's sink has none). */
const spoolPath = (p: ServiceParts, c: MultiFileConfig): string | undefined => (p.dryRun ? undefined : c.sink.buffer?.path);

/**
 * Applies a mapping file reloaded on SIGHUP, or none of it: an invalid file, an `observe.listen`
 * that cannot be used, or a sink that cannot be opened (a spool path another bridge holds) is
 * refused with the reason, and the running configuration is restored. The spool is kept unless
 * the sink section changed; when it did, reading goes on with hardly a gap (see {@link swapSink}).
 */
export async function reload(p: ServiceParts, state: ServiceState, load: () => MultiFileConfig): Promise<void> {
  let next: MultiFileConfig;
  try {
    next = load();
  } catch (err) {
    p.logger.error({ err: (err as Error).message }, 'SIGHUP: the mapping file is invalid; keeping the running configuration');
    return;
  }
  const previous = state.config;
  const listen = next.observe && !p.dryRun ? next.observe.listen : undefined;
  const oldListen = previous.observe && !p.dryRun ? previous.observe.listen : undefined;
  const newObserve = listen !== undefined && listen !== oldListen ? await startObserve(listen, state).catch((err: unknown) => err as Error) : undefined;
  if (newObserve instanceof Error) {
    p.logger.error({ err: newObserve.message }, `SIGHUP: ${newObserve.message}; keeping the running configuration`);
    return;
  }
  const sinkChanged = sinkPart(next) !== sinkPart(previous);
  if (sinkChanged && !(await swapSink(p, state, next))) {
    await newObserve?.close();
    return;
  }
  if (!sinkChanged) await stopBridges(state);
  state.config = next;
  state.bridge = await startBridges(p.definitions, next, { sink: state.sink, logger: p.logger, reloadState: state.reloadState });
  p.started?.(state.bridge);
  const rules = state.bridge.rules?.rules.map((r) => r.name) ?? [];
  if (rules.length > 0) {
    p.logger.info({ rules }, `SIGHUP: alert rules reloaded (${rules.join(', ')}) with their state reset: what was pending starts over, and an alert that was firing fires again once its condition has held for its "for"`);
  }
  if (listen !== oldListen) {
    await state.observe?.close();
    state.observe = newObserve;
    if (newObserve) p.logger.info({ url: newObserve.url }, `health and metrics now on ${newObserve.url}/metrics`);
  }
  p.logger.info(sinkChanged ? 'SIGHUP: mapping reloaded (with a new sink)' : 'SIGHUP: mapping reloaded; the spool is kept');
}

async function stopBridges(state: ServiceState): Promise<void> {
  await state.bridge?.stop();
  state.bridge = undefined;
}

/**
 * Puts a sink for `next` in place of the running one, the bridges stopped (the caller starts
 * them on it); false, with everything as it was, when the new sink cannot be made.
 *
 * Reading must not wait for delivery (an outage would stop the polls for the whole shutdown
 * timeout), and what the running sink holds must not be lost. A spool the new sink can use as it
 * is (the same disk file, or a memory spool with the same limits) is handed over at once: what is
 * undelivered in it, the new sink sends. Otherwise the new sink is made while the running one
 * goes on, and the old one delivers what it holds in the background (at most the shutdown
 * timeout; the stop waits for it).
 */
async function swapSink(p: ServiceParts, state: ServiceState, next: MultiFileConfig): Promise<boolean> {
  const previous = state.config;
  const oldSink = state.sink;
  const oldPath = spoolPath(p, previous);
  const install = (made: MadeSink): void => {
    state.sink = made.sink;
    state.sinkRegistry = made.registry;
    state.memorySpool = made.memorySpool;
  };
  const refused = (err: unknown): false => {
    p.logger.error({ err: (err as Error).message }, `SIGHUP: the new sink cannot be used (${(err as Error).message}); keeping the running configuration`);
    return false;
  };
  const memory = state.memorySpool !== undefined && spoolPath(p, next) === undefined && limitsOf(next) === limitsOf(previous) ? state.memorySpool : undefined;
  if ((oldPath !== undefined && oldPath === spoolPath(p, next)) || memory !== undefined) {
    await stopBridges(state);
    await oldSink.close({ timeoutMs: 0, keepSpool: memory !== undefined });
    try {
      install(makeSink(p, next, memory));
      return true;
    } catch (err) {
      install(makeSink(p, previous, memory));
      state.bridge = await startBridges(p.definitions, previous, { sink: state.sink, logger: p.logger, reloadState: state.reloadState });
      p.started?.(state.bridge);
      return refused(err);
    }
  }
  let made: MadeSink;
  try {
    made = makeSink(p, next);
  } catch (err) {
    return refused(err);
  }
  await stopBridges(state);
  install(made);
  retire(p, state, oldSink, oldPath, previous.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  return true;
}

/** A memory spool's limits as the file sets them: the spool handed over keeps its own. */
const limitsOf = (c: MultiFileConfig): string => JSON.stringify([c.sink.buffer?.max_bytes, c.sink.buffer?.when_full, c.sink.buffer?.max_age]);

/** The replaced sink delivers what it holds in the background; the stop waits for it. */
function retire(p: ServiceParts, state: ServiceState, sink: Sink, path: string | undefined, timeoutMs: number): void {
  const closing = sink.close({ timeoutMs }).then((left) => {
    state.retiring.delete(closing);
    if (left.kept > 0) p.logger.warn({ points: left.kept, path }, `SIGHUP: ${left.kept} points the replaced sink could not deliver stay in its spool at ${path}, which this run no longer reads: a run with buffer.path ${path} sends them`);
    return left;
  });
  state.retiring.add(closing);
}
