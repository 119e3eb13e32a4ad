import type { MultiFileConfig } from '../config/file-schema.js';
import { startBridges } from '../runtime/start-bridges.js';
import { makeSink, startObserve, type ServiceParts, type ServiceState } from './_service-state.js';

/** The part of a mapping that needs a new sink when it changes. */
const sinkPart = (c: MultiFileConfig): string => JSON.stringify([c.source_id, c.tags, c.sink]);

/**
 * Applies a mapping file reloaded on SIGHUP, or none of it: an invalid file, an `observe.listen`
 * that cannot be used, or a sink that cannot be opened (a spool path another bridge holds) is
 * refused with the reason, and the running configuration is restored. The spool is kept unless
 * the sink section changed.
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
  await state.bridge?.stop();
  state.bridge = undefined;
  const sinkChanged = sinkPart(next) !== sinkPart(previous);
  if (sinkChanged) {
    await state.sink.close();
    try {
      ({ sink: state.sink, registry: state.sinkRegistry } = makeSink(p, next));
    } catch (err) {
      p.logger.error({ err: (err as Error).message }, `SIGHUP: the new sink cannot be used (${(err as Error).message}); keeping the running configuration`);
      ({ sink: state.sink, registry: state.sinkRegistry } = makeSink(p, previous));
      await newObserve?.close();
      state.bridge = await startBridges(p.definitions, previous, { sink: state.sink, logger: p.logger });
      p.started?.(state.bridge);
      return;
    }
  }
  state.config = next;
  state.bridge = await startBridges(p.definitions, next, { sink: state.sink, logger: p.logger });
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
