import { createKeyedProblems, reconnectPolicy, type BridgeContext, type BridgeInstance } from '@fieldbridge/core/bridge';
import { createConnectionReport } from './_connection-report.js';
import { createDelivery } from './_deliver.js';
import { checkMetricNames } from './_metric-collisions.js';
import { createOpcuaMetrics } from './_metrics.js';
import { createSessionLoop, type SessionLoop } from './_session.js';
import { silentItemsWhy } from './_silent-why.js';
import type { OpcuaConfig } from './config.js';
import { connectOptionsOf } from './connect-options.js';
import type { ConnectionEvent, OpcuaConnection } from './connection.js';
import { OpcuaBridgeError } from './errors.js';
import { loadOpcua } from './load.js';
import { OPCUA_DEFAULTS, planOpcua } from './plan.js';
import { createRunWarnings } from './run-warnings.js';
import type { FolderChange, ItemStatus, OpcuaSubscription, SubscriptionProblem } from './subscription-types.js';

/** Options of {@link createOpcuaSource}, mostly for tests. */
export interface OpcuaSourceOptions {
  /** A connection that lasted this long, in ms, counts as working: the backoff starts over and the outage's episode ends. Default 30 000. */
  stableMs?: number;
  /** Random source for reconnect jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** The OPC UA bridge instance, plus a view of its monitored items. */
export interface OpcuaSource extends BridgeInstance {
  /** Each monitored item and where it stands (empty until subscribed). */
  items(): ItemStatus[];
  /** The subscription once up, for its counters (`stats()`) and flow control. */
  subscription(): OpcuaSubscription | undefined;
  /** The connection once open, for its state, counters (`stats()`) and namespaces. */
  connection(): OpcuaConnection | undefined;
}

/** Default time between retries of refused items, in ms. */
const RETRY_REFUSED_MS = 60_000;

/**
 * Creates the OPC UA source: one required channel, named after the endpoint, for the session and
 * its subscription (items do not gate readiness: one the server refuses is reported by name,
 * counted in `fieldbridge_opcua_monitored_items{state}` and retried every `retry_refused_ms`
 * while the rest flow, and at once after a reconnect with a new session). node-opcua loads in `start()`; the first connect is retried with the
 * kit's reconnector; later losses are repaired by node-opcua, or by the same reconnector when
 * node-opcua's attempt fails at the server (a changed certificate), and counted as reconnects
 * with their gap. Each NotificationMessage is one `ctx.emit`. While the sink is blocked
 * (`when_full: block`) the publish acknowledgements are held, so the server keeps the values.
 * A `--once` that got no point names the items the server refused or did not find (`silentWhy`).
 */
export function createOpcuaSource(config: OpcuaConfig, ctx: BridgeContext, options: OpcuaSourceOptions = {}): OpcuaSource {
  const planned = planOpcua(config);
  if (!planned.ok) throw new OpcuaBridgeError('NODE_INVALID', `the opcua section does not compile: ${planned.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { retryable: false });
  const { plan } = planned;
  // One run's warnings for all its connect attempts: trust: always and a deprecated policy are
  // said once per start, not at every attempt while a server is down.
  const connect = { ...connectOptionsOf(config, ctx.logger, ctx.stateDir, () => ctx.clock.now()), warnings: createRunWarnings() };
  const where = connect.endpointUrl;
  const channel = ctx.channel(where);
  const metrics = createOpcuaMetrics(ctx.registry);
  const stableMs = options.stableMs ?? 30_000;
  const retryMs = config.retry_refused_ms ?? RETRY_REFUSED_MS;
  const report = createConnectionReport({ ctx, channel, metrics, stableMs, retryRefusedMs: retryMs, publishingIntervalMs: config.publishing_interval_ms ?? OPCUA_DEFAULTS.publishingIntervalMs });
  const itemProblems = createKeyedProblems(ctx.problems, { prefix: 'opcua.item' });
  // A folder cut short stays so until a rescan finds it whole (or cut otherwise), and an event
  // field the server cannot select stays null as long as its item runs: their episodes are not
  // ended by the items turning active, as a refused item's is.
  const lastingProblems = createKeyedProblems(ctx.problems, { prefix: 'opcua.item' });
  // Each folder's cut as last reported: a rescan that words it otherwise begins a new episode.
  const folderCuts = new Map<string, string>();
  const deliver = createDelivery(plan, ctx, channel, metrics);
  let loop: SessionLoop | undefined;
  let holding = false;
  // The items whose first value came, for a --once (onceComplete); no longer noted once all have.
  const heardFirst = new Set<object>();
  let notingFirsts = true;
  let retryTimer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  // Checked again when the items change (a folder found on a retry, or expanded again after the
  // server's address space changed: one variable gone, another come), said once per start.
  let namesChecked = '';
  let unsafeSaid = false;
  const checkNames = (items: ItemStatus[]): void => {
    const signature = items.map((i) => `${i.key}\u0000${i.nodeId ?? ''}\u0000${i.browsePath?.join('/') ?? ''}`).join('\u0001');
    if (signature === namesChecked) return;
    namesChecked = signature;
    const found = checkMetricNames(plan.routes, items);
    for (const { metric, labels } of found.collisions) {
      const named = labels.length > 5 ? `${labels.slice(0, 5).join(', ')} and ${labels.length - 5} more` : labels.join(', ');
      const normalized = config.metric_names === 'normalized' ? ', or set metric_names: as_browsed if only the normalisation made them equal' : '';
      ctx.metrics.error(where, 'metric_collision');
      lastingProblems.report(`metric ${metric}`, 'metric_collision', `metric "${metric}" is made for ${labels.length} variables with the same tags: ${named}; their values would mix in one series: tell them apart in the template ({path} rather than {name}), or map them as nodes[] entries with names of their own${normalized}`, { metric });
    }
    if (config.metric_names === undefined && found.unsafeCount > 0 && !unsafeSaid) {
      unsafeSaid = true;
      const more = found.unsafeCount > found.unsafe.length ? ` and ${found.unsafeCount - found.unsafe.length} more` : '';
      ctx.logger.warn(
        { metrics: found.unsafe },
        `metric names made from browse paths keep what the server wrote: ${found.unsafe.map((m) => `"${m}"`).join(', ')}${more} hold characters (spaces, quotes, brackets, accents) that time-series stores and queries handle badly; metric_names: normalized writes them with letters, digits, _ - . only, metric_names: as_browsed keeps them and says nothing more`,
      );
    }
  };

  const syncItems = (sub: OpcuaSubscription): void => {
    const counts = { active: 0, refused: 0, unresolved: 0, pending: 0 };
    const settled = new Map<string, boolean>();
    const items = sub.items();
    checkNames(items);
    for (const item of items) {
      counts[item.state] += 1;
      settled.set(item.key, (settled.get(item.key) ?? true) && item.state === 'active');
    }
    for (const state of ['active', 'refused', 'unresolved'] as const) metrics.items.set({ state }, counts[state]);
    metrics.subscriptions.set(sub.stats().subscriptions);
    for (const [key, active] of settled) if (active) itemProblems.clean(key);
    // Before the first connect is reported, its line says this.
    report.itemsChanged(sub);
  };

  const onProblem = (problem: SubscriptionProblem): void => {
    ctx.metrics.error(where, problem.kind);
    // Of the subscription as a whole: one episode, ended once it was made again.
    if (problem.item === undefined) return void ctx.problems.report(`opcua.${problem.kind}`, problem.message, { kind: problem.kind });
    if (problem.kind === 'folder_truncated') {
      if (folderCuts.has(problem.item) && folderCuts.get(problem.item) !== problem.message) lastingProblems.clean(problem.item);
      folderCuts.set(problem.item, problem.message);
    }
    const episodes = problem.kind === 'folder_truncated' || problem.kind === 'event_field_refused' ? lastingProblems : itemProblems;
    episodes.report(problem.item, problem.kind, problem.message, { item: problem.item });
  };

  // A rescan changed a folder's items: the counts and the metric names are checked again, and
  // the folder's episodes end when what it has left is all monitored and nothing is cut.
  const onFolderChanged = (change: FolderChange): void => {
    if (change.cut === undefined && folderCuts.delete(change.key)) lastingProblems.clean(change.key);
    const sub = loop?.subscription();
    if (!sub) return;
    syncItems(sub);
    if (!sub.items().some((i) => i.key === change.key && i.state !== 'active')) itemProblems.clean(change.key);
  };

  const onRecreated = (): void => {
    ctx.problems.resolve('opcua.subscription_recreated', 'the subscription was created again, with every item');
    const sub = loop?.subscription();
    if (sub) syncItems(sub);
  };

  const hold = (): void => {
    const sub = loop?.subscription();
    if (holding || !sub || !ctx.flow.blocked()) return;
    holding = true;
    sub.flow.hold();
    metrics.holds.inc();
    metrics.held.set(1);
    ctx.logger.warn({ endpoint: where }, `${where}: the spool is full (when_full: block); holding the publish acknowledgements, so the server keeps new values in each item's queue until it drains`);
    void ctx.flow.whenOpen(ctx.signal).then(() => {
      holding = false;
      sub.flow.release();
      metrics.held.set(0);
      if (!ctx.signal.aborted) ctx.logger.info({ endpoint: where }, `${where}: the spool takes points again; notifications resume`);
    });
  };

  const onConnectionEvent = (event: ConnectionEvent): void => {
    const sub = loop?.subscription();
    report.event(event, sub);
  };

  // After a new session the subscription has tried the refused items already: a session kept over
  // a network cut is the same server, which refused them, so they wait for their retry.
  const onRestored = (): void => {
    const sub = loop?.subscription();
    if (sub) syncItems(sub);
  };

  const start = async (): Promise<void> => {
    // Loaded here, never at import: 1-4 s and 110 MB; a failure to load is fatal, not retried.
    await loadOpcua(ctx.logger);
    if (stopping) return;
    const reconnect = reconnectPolicy(config.reconnect);
    loop = createSessionLoop({
      connect,
      subscription: {
        publishingIntervalMs: config.publishing_interval_ms ?? OPCUA_DEFAULTS.publishingIntervalMs,
        variables: plan.variables,
        folders: plan.folders,
        events: plan.events,
        // Retries are driven below, so that the item states are read right after each one.
        retryRefusedMs: retryMs,
        retryTimer: false,
        ...(config.subscription_lifetime_ms === undefined ? {} : { subscriptionLifetimeMs: config.subscription_lifetime_ms }),
        onData: (batch) => {
          // Held first: this message is written anyway, the next ones wait at the server.
          if (ctx.flow.blocked()) hold();
          deliver(batch);
          if (notingFirsts) {
            for (const v of batch.values) heardFirst.add(v.item);
            notingFirsts = !everyFirstHeard();
          }
        },
        onProblem,
        onRecreated,
        onRestored,
        onFolderChanged,
        // As it is, fractions of a millisecond included: the sink recognises a stamp it gave before
        // its clock's first server sample, and moves it onto server time with its batch.
        now: () => ctx.clock.now(),
      },
      reconnect: { ...reconnect, stableMs },
      ...(options.random ? { random: options.random } : {}),
      hooks: {
        onUp(connection, sub) {
          syncItems(sub);
          report.up(connection, sub);
          clearInterval(retryTimer);
          retryTimer = setInterval(() => void sub.retryNow().then(() => syncItems(sub)), retryMs);
          retryTimer.unref();
        },
        onAttemptFailed(error, retryInMs) {
          // A subscription given up after a loss retries nothing more; the next one gets its own timer.
          clearInterval(retryTimer);
          report.attemptFailed(error, retryInMs);
        },
        onConnectionEvent,
      },
    });
    loop.start();
  };

  /** Every item is made (none pending) and each value item among them has given its first value. */
  const everyFirstHeard = (): boolean => {
    const items = loop?.subscription()?.items();
    if (items === undefined || items.some((i) => i.state === 'pending')) return false;
    return heardFirst.size >= items.filter((i) => i.kind === 'value' && i.state === 'active').length;
  };

  return {
    async start() {
      if (stopping) return;
      starting ??= start();
      await starting;
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(retryTimer);
        report.stop();
        await starting?.catch(() => undefined);
        await loop?.stop();
        if (channel.state() === 'connected') channel.set('disconnected', 'stopped');
        metrics.held.set(0);
        metrics.subscriptions.set(0);
      })();
      return stopping;
    },
    // A --once ends when each item gave its first value, not at the session's first message: the
    // server may send the first values of a thousand items in several.
    onceComplete: () => !notingFirsts || everyFirstHeard(),
    silentWhy(name) {
      const sub = loop?.subscription();
      return name === where && sub ? silentItemsWhy(sub.items(), retryMs) : undefined;
    },
    items: () => loop?.subscription()?.items() ?? [],
    subscription: () => loop?.subscription(),
    connection: () => loop?.connection(),
  };
}
