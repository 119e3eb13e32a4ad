import { createOutage, formatDuration, type BridgeContext, type Channel, type Outage } from '@fieldbridge/core/bridge';
import { failureHeadline } from './_failure-headline.js';
import { revisionsText } from './_revisions-text.js';
import { renewalText } from './_start-time.js';
import type { OpcuaMetrics } from './_metrics.js';
import type { ConnectionEvent, OpcuaConnection } from './connection.js';
import type { OpcuaBridgeError } from './errors.js';
import type { OpcuaSubscription } from './subscription-types.js';

/** What the source tells its report about the connection. */
export interface ConnectionReport {
  /** The session and the subscription are up: a first connect, or the bridge's own after a loss node-opcua could not repair. */
  up(connection: OpcuaConnection, subscription: OpcuaSubscription): void;
  /** A connect attempt failed; the next one is in `retryInMs`. */
  attemptFailed(error: OpcuaBridgeError, retryInMs: number): void;
  /** What the open connection reports while node-opcua repairs it. */
  event(event: ConnectionEvent, subscription: OpcuaSubscription | undefined): void;
  /** The items changed while connected (a retry, a folder rescan): says what the server granted less of than asked, if that changed. */
  itemsChanged(subscription: OpcuaSubscription): void;
  /** Clears the episodes' timers. */
  stop(): void;
}

/** Options of {@link createConnectionReport}. */
export interface ConnectionReportOptions {
  ctx: BridgeContext;
  channel: Channel;
  metrics: OpcuaMetrics;
  /** A connection that lasted this long ends the episodes, in ms. */
  stableMs: number;
  /** How often refused items are tried again, in ms (for the connect line). */
  retryRefusedMs: number;
  /** The publishing interval the mapping asks for, in ms (to say when the server grants a slower one). */
  publishingIntervalMs: number;
}

/**
 * Sets `channel` failed by a refusal someone must fix. Its state line (and a `--once` that read
 * nothing) names what failed in a few words: the whole message (a certificate's thumbprint, the
 * file to move, what to do) is the refusal episode's line, so the log says it once. The channel
 * keeps the whole message as its reason for `/readyz`.
 */
function failedBy(channel: Channel, error: OpcuaBridgeError): void {
  channel.set('failed', error.message, { headline: failureHeadline(error) });
}

/**
 * How the source reports its connection: the channel's state and reason, the counters (every loss
 * `connection_lost`, every failed attempt its code, reconnects and their gap) and the log, once
 * per episode. A loss and the failures that only need the server back share the episode
 * `opcua.connection`; a failure someone must fix (a refused certificate, a wrong password) opens
 * an episode of its own, `opcua.connection.<code>`, so that its message and what to do are logged
 * even when it comes after a loss. Each ends once a connection has lasted `stableMs`.
 */
export function createConnectionReport(o: ConnectionReportOptions): ConnectionReport {
  const { ctx, channel, metrics } = o;
  const where = channel.name;
  const loss = createOutage(ctx.problems, { key: 'opcua.connection', stableMs: o.stableMs });
  // Keyed by error code: a handful at most.
  const refusals = new Map<string, Outage>();
  let everUp = false;
  let lostAt: number | undefined;
  let recreationsAtLoss = 0;
  let revisionsSaid: string | undefined;
  /** Says what the server granted less of than asked, when that changed since it was last said. */
  const sayRevisions = (sub: OpcuaSubscription): void => {
    const text = revisionsText(sub.items(), { askedMs: o.publishingIntervalMs, grantedMs: sub.stats().publishingIntervalMs });
    if (text !== undefined && text !== revisionsSaid) ctx.logger.warn({ endpoint: where }, `${where}: ${text}`);
    revisionsSaid = text;
  };

  const episodeOf = (error: OpcuaBridgeError): Outage => {
    if (error.retryable) return loss;
    let episode = refusals.get(error.code);
    if (!episode) refusals.set(error.code, (episode = createOutage(ctx.problems, { key: `opcua.connection.${error.code.toLowerCase()}`, stableMs: o.stableMs })));
    return episode;
  };
  /** Ends every open episode once the connection lasts; true when none was open. */
  const connected = (recovered: string): boolean => {
    let quiet = loss.connected(recovered);
    for (const episode of refusals.values()) quiet = episode.connected(recovered) && quiet;
    return quiet;
  };
  /** Counts the reconnect that ends the loss; `measured` is the connection's own measure of the gap, when it has one. */
  const gapEnded = (measured?: number): number => {
    const gapMs = measured ?? Math.max(0, ctx.clock.monotonicNow() - (lostAt ?? ctx.clock.monotonicNow()));
    lostAt = undefined;
    metrics.reconnects.inc();
    metrics.gapSeconds.inc(gapMs / 1000);
    return Math.round(gapMs);
  };

  return {
    up(connection, sub) {
      everUp = true;
      metrics.connects.inc({ result: 'ok' });
      channel.set('connected');
      const security = `${connection.security.mode}/${connection.security.policy}`;
      const { active, subscriptions, itemsPerSubscription } = sub.stats();
      const others = sub.items().length - active;
      // Spread over several: said, with the server's limit that made it so.
      const spread = subscriptions > 1 ? ` in ${subscriptions} subscriptions${itemsPerSubscription === undefined ? '' : ` (the server takes at most ${itemsPerSubscription} items in one)`}` : '';
      const items = `${active} items monitored${spread}${others > 0 ? `, ${others} not (reported above, tried again every ${formatDuration(o.retryRefusedMs)})` : ''}`;
      if (lostAt !== undefined) {
        // node-opcua could not repair the loss (its attempt failed at the server): this is the bridge's own connect.
        const gapMs = gapEnded();
        ctx.logger.warn(
          { endpoint: where, gapMs, security, items: active },
          `${where}: connected again after a gap of ${formatDuration(gapMs)} without data, with a new session and subscription (${items}): values that changed in the gap are lost; each item sends its current value`,
        );
        connected(`${where}: connected again`);
        sayRevisions(sub);
        return;
      }
      if (connected(`${where}: connected`)) ctx.logger.info({ endpoint: where, security, items: active }, `${where}: connected (${security}), ${items}`);
      sayRevisions(sub);
    },
    attemptFailed(error, retryInMs) {
      metrics.connects.inc({ result: 'failed' });
      ctx.metrics.error(where, error.code.toLowerCase());
      if (error.retryable) channel.set(everUp ? 'disconnected' : 'connecting', error.message);
      else failedBy(channel, error);
      // A --once cycle ends at a refusal someone must fix: no next attempt to announce.
      const last = ctx.once && !error.retryable;
      const then = last ? '; not tried again: --once stops here' : `; next attempt in ${formatDuration(retryInMs)}`;
      episodeOf(error).failed(`${where}: ${error.message}${then}`, { endpoint: where, code: error.code }, { last });
    },
    event(event, sub) {
      if (event.type === 'lost') {
        lostAt = ctx.clock.monotonicNow();
        recreationsAtLoss = sub?.stats().recreations ?? 0;
        ctx.metrics.error(where, 'connection_lost');
        channel.set('disconnected', 'connection lost; reconnecting');
        loss.failed(`${where}: connection lost; reconnecting`, { endpoint: where });
      } else if (event.type === 'reconnecting') {
        ctx.metrics.error(where, 'connect_failed');
        channel.set('disconnected', `connection lost; reconnect attempt ${event.attempt} failed, next in ${formatDuration(event.delayMs)}`);
        loss.failed(`${where}: reconnect attempt ${event.attempt} failed; next in ${formatDuration(event.delayMs)}`, { endpoint: where });
      } else if (event.type === 'restored') {
        const gapMs = gapEnded(event.gapMs);
        const recreated = (sub?.stats().recreations ?? 0) > recreationsAtLoss;
        const subscription = (sub?.stats().subscriptions ?? 1) > 1 ? 'subscriptions' : 'subscription';
        const what = !event.sessionRecreated
          ? `the session was kept, with its ${subscription}: what changed in the gap comes now (up to queue_size values per item)`
          : !recreated
            ? `a new session, to which the server moved the ${subscription}: what changed in the gap comes now (up to queue_size values per item)`
            : `a new session and ${subscription} (the server no longer had them), every monitored item created again: values that changed in the gap are lost; each item sends its current value`;
        if (event.renewal?.kind === 'restarted') metrics.serverRestarts.inc();
        // Why the session is new, where the server's StartTime tells it: a restart is a controls engineer's first question.
        const why = event.renewal ? `${renewalText(event.renewal)}; ` : '';
        channel.set('connected');
        ctx.logger[recreated ? 'warn' : 'info'](
          { endpoint: where, gapMs, sessionRecreated: event.sessionRecreated, subscriptionRecreated: recreated, namespacesChanged: event.namespacesChanged, ...(event.renewal ? { renewal: event.renewal } : {}) },
          `${where}: reconnected after a gap of ${formatDuration(gapMs)} without data; ${why}${what}`,
        );
        connected(`${where}: connected again`);
        // Items monitored while the connection was being repaired were not said then.
        if (sub) sayRevisions(sub);
      }
    },
    itemsChanged(sub) {
      if (channel.state() === 'connected') sayRevisions(sub);
    },
    stop() {
      loss.stop();
      for (const episode of refusals.values()) episode.stop();
    },
  };
}
