import { createKeyedCache, createKeyedProblems, createOutage, excerpt, formatSize, reconnectPolicy, type BridgeContext, type BridgeInstance } from '@fieldbridge/core/bridge';
import type { IClientOptions, MqttClient } from 'mqtt';
import { createMqttMetrics } from './_metrics.js';
import { createQuietWatch } from './_quiet.js';
import { createRetainedMemory, type RetainedMemory } from './_retained.js';
import { MqttSession } from './_session.js';
import { createSparkplugBirths } from './_sparkplug-births.js';
import { deliveredFor, isOtherCopy, subscriptionIds } from './_subscription-ids.js';
import { persistentSession, sessionLost, sessionTakenOver } from './_persistent-session.js';
import { buildClientOptions, dryRunLine, ownCleanSession } from './client-options.js';
import type { MqttConfig } from './config.js';
import { decodeMessage, routeTopic } from './decode.js';
import type { SparkplugContext } from './decode-sparkplug.js';
import { MQTT_DEFAULTS, resolveSubscriptions } from './resolve.js';
import { loadSparkplugCodec } from './sparkplug-codec.js';
import { topicLevels, topicMatches } from './topic.js';
import { SPARKPLUG_LIMITS, SparkplugState, type SparkplugLimits } from './sparkplug-state.js';

/** Options of {@link createMqttSource}, mostly for tests and benchmarks. */
export interface MqttSourceOptions {
  /** Creates the mqtt.js client; defaults to mqtt.js's `connect`, loaded on first use. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
  /** Random source for reconnect jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Reads TLS files given as paths. Default `fs.readFileSync`. */
  readFile?: (path: string) => Buffer;
  /** A connection that lasted this long, in ms, counts as working: the backoff starts over and the outage's episode ends. Default 30 000. */
  stableMs?: number;
  /** Bounds of the Sparkplug alias tables. Default {@link SPARKPLUG_LIMITS}. */
  sparkplugLimits?: SparkplugLimits;
  /** A subscription granted this long ago, in ms, that has brought no message yet is reported once (a filter no topic matches). Default {@link QUIET_MS}. */
  quietMs?: number;
}

/** How long a granted subscription may bring nothing before it is reported: 10 minutes. */
export const QUIET_MS = 600_000;

/**
 * Creates the MQTT source: one broker connection (mqtt.js, loaded in `start()`), one required
 * channel per subscription, every message decoded with its subscription's rule and emitted on
 * its channel. Messages matching no rule, or not decoding, are counted by kind and logged once
 * per topic. While the sink is blocked (`when_full: block`) messages are held unacknowledged,
 * so the broker keeps them. `--once` is the runtime's: until every subscription delivered.
 * Under a dry run (`ctx.dryRun`) it connects with a client id of its own and a clean session, and
 * asks no Sparkplug edge node for a rebirth: the bridge it tries out keeps its session and queue.
 */
export function createMqttSource(config: MqttConfig, ctx: BridgeContext, options: MqttSourceOptions = {}): BridgeInstance {
  const subs = resolveSubscriptions(config);
  const metrics = createMqttMetrics(ctx.registry);
  const problems = createKeyedProblems(ctx.problems, { prefix: 'mqtt' });
  const channels = new Map(subs.map((s) => [s.name, ctx.channel(s.name)]));
  // MQTT 5: overlapping filters bring one copy per subscription; each names its own, and only the routed one is read.
  const identifiers = subscriptionIds(subs.map((s) => s.topic.raw));
  const knownIdentifiers = new Set(identifiers.filter((id) => id !== undefined));
  // Messages each subscription brought (any, decoded or not): none at all says more to `--once` than "no point".
  const heard = new Map(subs.map((s) => [s.name, 0]));
  // The first subscription whose filter matches, with the names and tags filled once per topic (not for 64 KiB ones).
  const route = createKeyedCache(
    (topic: string) => {
      const levels = topicLevels(topic);
      const sub = subs.find((s) => topicMatches(s.topic, levels));
      return sub && routeTopic(sub, topic, levels);
    },
    { keep: (topic) => topic.length <= 512 },
  );
  const stableMs = options.stableMs ?? 30_000;
  const quiet = createQuietWatch(ctx, subs, heard, options.quietMs ?? QUIET_MS);
  const outage = createOutage(ctx.problems, { key: 'mqtt.connection', stableMs });
  // A refusal someone must fix is an episode of its own: logged even when it follows a lost connection's.
  const refusal = createOutage(ctx.problems, { key: 'mqtt.connection.refused', stableMs });
  // Another client with this client id: one episode, ended once a connection held as long as the outage's.
  const takenOver = createOutage(ctx.problems, { key: 'mqtt.client_id', stableMs });
  const limits = options.sparkplugLimits ?? SPARKPLUG_LIMITS;
  const sparkplugState = new SparkplugState(limits);
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  let sparkplug: SparkplugContext | undefined;
  const births = createSparkplugBirths(ctx, metrics.rebirths);
  let evicted = 0;
  let starting: Promise<MqttSession> | undefined;
  let stopping: Promise<void> | undefined;
  let where = config.url;

  const countEvictions = (): void => {
    if (sparkplugState.evictions === evicted) return;
    metrics.sparkplugEvictions.inc(sparkplugState.evictions - evicted);
    evicted = sparkplugState.evictions;
    const what = `more than ${limits.maxNodes} Sparkplug edge nodes or ${formatSize(limits.maxBytes)} of their alias tables`;
    ctx.problems.report('mqtt.sparkplug.evicted', `${what}: the least recently heard are forgotten (fieldbridge_mqtt_sparkplug_nodes_evicted_total) and need a rebirth to be read by alias again`);
  };

  const maxPacketBytes = config.max_packet_size ?? MQTT_DEFAULTS.maxPacketBytes;
  /** The problem episodes' key of a topic: per subscription and topic. */
  const keyOf = (name: string, topic: string): string => `${name}.${topic.length > 200 ? excerpt(topic, 200) : topic}`;

  const tooLarge = (size: number, topic: string): void => {
    const found = route(topic);
    const name = found?.sub.name ?? 'none';
    ctx.metrics.messages(name);
    if (found) heard.set(name, heard.get(name)! + 1);
    ctx.metrics.error(name, 'too_large');
    const where = found ? `subscription ${name}: ` : '';
    problems.report(keyOf(name, topic), 'too_large', `${where}${excerpt(topic, 200)}: a message of ${size} bytes, more than max_packet_size (${formatSize(maxPacketBytes)}), was acknowledged without being read, so the broker lets it go: it is lost (raise max_packet_size to read such messages)`, { topic: excerpt(topic, 200), bytes: size });
  };

  // Subscriptions whose held-back transient metrics were said once: a choice of the edge node, not a fault.
  const saidTransient = new Set<string>();
  const heldTransient = (name: string, topic: string, held: { count: number; first: string }): void => {
    ctx.metrics.suppressed(name, 'transient', held.count);
    if (saidTransient.has(name)) return;
    saidTransient.add(name);
    ctx.logger.info(
      { subscription: name, topic: excerpt(topic, 200), metric: held.first },
      `subscription ${name}: ${excerpt(topic, 200)}: Sparkplug metrics the edge node flags is_transient (${held.first} first) are not sent: the specification keeps them out of historians. Counted in fieldbridge_source_points_suppressed_total{reason="transient"}; set send_transient: true on this subscription to send them`,
    );
  };

  // What decodes a topic, as text: a retained message is read again when its rule changed.
  const rules = config.subscriptions.map((s) => JSON.stringify(s));
  let retainedMemory: RetainedMemory | undefined;

  const handle = (topic: string, payload: Uint8Array, retained: boolean, delivered?: readonly number[]): void => {
    const found = route(topic);
    if (found && isOtherCopy(delivered, identifiers[found.sub.index], knownIdentifiers)) return;
    const name = found?.sub.name ?? 'none';
    const key = keyOf(name, topic);
    ctx.metrics.messages(name);
    if (found) heard.set(name, heard.get(name)! + 1);
    if (found && quiet.reported.size > 0) quiet.heard(name);
    const rule = found ? rules[found.sub.index]! : '';
    // Sparkplug is left alone: a birth repeated must still teach this start's alias tables.
    if (found && retained && retainedMemory && found.sub.format !== 'sparkplug') {
      // Older than what this connection took on the topic (queued in a kept session): never the latest value.
      if (retainedMemory.stale(topic)) {
        const older = decodeMessage(found.sub, { topic, payload, receivedAtMs: ctx.clock.now() }, sparkplug, found).points.length;
        if (older > 0) ctx.metrics.suppressed(name, 'retained_stale', older);
        return;
      }
      // The broker's copy of what was delivered already (a re-subscription brings it again): not a new value.
      const repeated = retainedMemory.repeat(topic, payload, rule);
      if (repeated !== undefined) {
        if (repeated > 0) ctx.metrics.suppressed(name, 'retained_repeat', repeated);
        return;
      }
    }
    if (!found) {
      ctx.metrics.error(name, 'no_rule');
      problems.report(key, 'no_rule', `${excerpt(topic, 200)}: matches no subscription filter (a persistent session keeps the subscriptions of a mapping edited while the bridge was stopped; a new client_id drops them)`, { topic: excerpt(topic, 200) });
      return;
    }
    const result = decodeMessage(found.sub, { topic, payload, receivedAtMs: ctx.clock.now() }, sparkplug, found);
    ctx.emit(channels.get(name)!, result.points);
    if (result.transient) heldTransient(name, topic, result.transient);
    retainedMemory?.took(topic, payload, rule, retained, result.points.length);
    const added = births.decoded(name, found, result);
    for (const problem of result.problems) {
      ctx.metrics.error(name, problem.kind);
      const more = added(problem);
      if (more === undefined) continue;
      const text = `subscription ${name}: ${excerpt(topic, 200)}: ${problem.message}${more}`;
      // The mapping's to fix (time_zone, a word format boolean does not read): one line for the subscription, not one per device.
      if (problem.perSubscription) ctx.problems.report(`mqtt.${problem.perSubscription}.${name}`, text, { subscription: name, topic: excerpt(topic, 200), kind: problem.kind });
      else problems.report(key, problem.kind, text, { subscription: name, topic: excerpt(topic, 200) });
    }
    // A subscription's episode (a missing time_zone) leaves the topic's own: those may still end.
    if (result.problems.every((p) => p.perSubscription)) problems.clean(key);
    if (sparkplug) countEvictions();
  };

  const open = async (): Promise<MqttSession> => {
    const configured = buildClientOptions(config, options.readFile);
    // A dry run leaves the mapping's session to the bridge it tries out: not taken over, not altered.
    const clientOptions = ctx.dryRun ? ownCleanSession(configured, 'dry-run') : configured;
    where = clientOptions.url;
    if (ctx.dryRun) ctx.logger.info({ broker: where, clientId: clientOptions.clientId }, dryRunLine(config, configured, clientOptions.clientId));
    const known = persistentSession(ctx, clientOptions);
    // One broker's memory, kept across reloads: a reload to another broker starts it over.
    const kept = ctx.acrossReloads('retained', () => ({ url: where, memory: createRetainedMemory() }));
    if (kept.url !== where) Object.assign(kept, { url: where, memory: createRetainedMemory() });
    retainedMemory = kept.memory;
    if (config.tls?.verify === false) ctx.logger.warn(`${where}: TLS certificate verification is OFF (mqtt.tls.verify: false); anyone on the path can read and forge this data`);
    if (subs.some((s) => s.format === 'sparkplug')) sparkplug = { codec: await loadSparkplugCodec(), state: sparkplugState, noRebirth: ctx.dryRun };
    const session: MqttSession = new MqttSession({
      clientOptions,
      subscriptions: subs.map((s) => ({ name: s.name, topic: s.topic.raw, qos: s.qos, identifier: identifiers[s.index] })),
      heldFilters: known?.filters ?? new Set(),
      reconnect: { ...reconnectPolicy(config.reconnect), stableMs },
      maxPacketBytes,
      hooks: {
        onConnected(sessionPresent) {
          metrics.connects.inc({ result: 'ok' });
          if (known?.connected && !sessionPresent) sessionLost(ctx, metrics, where, clientOptions.clientId);
          if (known) known.connected = true;
          retainedMemory?.connected();
          takenOver.connected(`${where}: no other client took the session over (client id ${clientOptions.clientId})`);
          // A broker that accepts and then closes must not log every cycle: the outage ends once a connection held.
          const refusedBefore = !refusal.connected(`${where}: connected again`);
          if (outage.connected(`${where}: connected again`) && !refusedBefore) ctx.logger.info({ broker: where, sessionPresent }, `${where}: connected${sessionPresent ? ' (the broker kept the session)' : ''}`);
        },
        onUnsubscribed(filters, refused) {
          if (filters.length > 0) ctx.logger.info({ broker: where, filters }, `${where}: unsubscribed ${filters.join(', ')}: no longer in the mapping (the broker's session still held ${filters.length === 1 ? 'it' : 'them'})`);
          for (const { filter, reason } of refused) {
            ctx.logger.warn({ broker: where, filter, reason }, `${where}: the broker refused to unsubscribe ${filter} (${reason}), which the mapping no longer has: it goes on sending what matches (counted as no_rule); tried again at the next connection`);
          }
        },
        onDown(reason, retryInMs, wasUp, refused) {
          if (!wasUp) metrics.connects.inc({ result: 'failed' });
          if (refused) {
            for (const channel of channels.values()) channel.set('failed', reason);
            // A --once cycle ends at it (every channel failed): no next attempt to announce.
            refusal.failed(`${where}: ${reason}; ${ctx.once ? 'not tried again: --once stops here' : `next attempt in ${retryInMs} ms`}`, { broker: where }, { last: ctx.once });
            return;
          }
          for (const channel of channels.values()) channel.set(wasUp || channel.state() !== 'connecting' ? 'disconnected' : 'connecting', wasUp ? `connection lost: ${reason}` : reason);
          const message = wasUp ? `connection lost (${reason}); reconnecting with backoff (next attempt in ${retryInMs} ms)` : `${reason}; next attempt in ${retryInMs} ms`;
          outage.failed(`${where}: ${message}`, { broker: where });
        },
        onSubscription(name, result) {
          const channel = channels.get(name);
          if (result.ok) {
            channel?.set('connected');
            quiet.granted(name);
            ctx.problems.resolve(`mqtt.subscribe.${name}`, `subscription ${name}: granted`);
          } else {
            const reason = `the broker refused it (${result.refused}); check the topic filter and the broker's ACL`;
            channel?.set('failed', reason);
            ctx.problems.report(`mqtt.subscribe.${name}`, `subscription ${name}: ${reason}`, { subscription: name });
          }
        },
        beforeMessage: () => (ctx.flow.blocked() ? ctx.flow.whenOpen(signal) : undefined),
        onMessage(topic, payload, packet) {
          try {
            handle(topic, payload, packet.retain, deliveredFor(packet));
          } catch (err) {
            // Decoding never throws by contract; should a bug make it, one message must not stop the others.
            ctx.metrics.error('none', 'internal');
            ctx.problems.report('mqtt.internal', `a message on ${excerpt(topic, 200)} could not be handled (${excerpt(String(err), 200)}); it was skipped. This is a bug: please report it`, { err });
          }
        },
        onTakenOver: (evidence) => sessionTakenOver(metrics, takenOver, where, clientOptions.clientId, evidence),
        onPacketTooLarge(size, topic) {
          metrics.packetsTooLarge.inc();
          // Any other packet drops the connection, which the outage reports.
          if (topic !== undefined) tooLarge(size, topic);
        },
      },
      ...(options.connect ? { connect: options.connect } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    // A rebirth request makes edge nodes publish their births again: not a dry run's to ask.
    if (sparkplug && !ctx.dryRun) births.startAsking((t, p) => session.publish(t, p), sparkplug.codec.encodeRebirth);
    await session.start();
    return session;
  };

  return {
    async start() {
      if (stopping) return;
      starting ??= open();
      await starting;
    },

    silentWhy(channel) {
      const sub = subs.find((s) => s.name === channel);
      if (sub === undefined || heard.get(channel)! > 0) return undefined;
      return `no message came on ${sub.topic.raw} at all: the broker retains none there and nothing was published meanwhile (bridge-mqtt --scan lists the topics the broker has)`;
    },

    stop() {
      stopping ??= (async () => {
        abort.abort();
        quiet.stop();
        outage.stop();
        refusal.stop();
        takenOver.stop();
        const undecoded = births.closing();
        if (undecoded) ctx.logger.warn(undecoded);
        // A start that failed has already rejected to its caller; there is nothing to close.
        const opened = await starting?.catch(() => undefined);
        await opened?.stop();
        for (const channel of channels.values()) if (channel.state() === 'connected') channel.set('disconnected', 'stopped');
      })();
      return stopping;
    },
  };
}
