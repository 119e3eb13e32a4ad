import { createKeyedProblems, formatDuration, formatSize, reconnectPolicy, type BridgeContext, type BridgeInstance, type SourceState } from '@fieldbridge/core/bridge';
import type { IClientOptions, MqttClient } from 'mqtt';
import { createMqttMetrics } from './_metrics.js';
import { createRebirthRequester } from './_rebirth.js';
import { createRouter } from './_routes.js';
import { MqttSession } from './_session.js';
import { excerpt } from './_values.js';
import { buildClientOptions } from './client-options.js';
import type { MqttConfig } from './config.js';
import { decodeMessage } from './decode.js';
import type { SparkplugContext } from './decode-sparkplug.js';
import { MQTT_DEFAULTS, resolveSubscriptions } from './resolve.js';
import { loadSparkplugCodec } from './sparkplug-codec.js';
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
}

/** A subscription as the source sees it right now. */
export interface MqttSubscriptionStatus {
  name: string;
  topic: string;
  state: SourceState;
  /** Messages routed to it since the source was created. */
  messages: number;
}

/** The MQTT bridge instance, plus a view of its subscriptions. */
export interface MqttSource extends BridgeInstance {
  /** Subscriptions with their state and message counts. */
  subscriptions(): MqttSubscriptionStatus[];
}

const STABLE_MS = 30_000;

/**
 * Creates the MQTT source: one broker connection (mqtt.js, loaded in `start()`), one required
 * channel per subscription, every message decoded with its subscription's rule and emitted on
 * its channel. Messages matching no rule, or not decoding, are counted by kind and logged once
 * per topic. While the sink is blocked (`when_full: block`) messages are held unacknowledged,
 * so the broker keeps them. `--once` is the runtime's: until every subscription delivered.
 */
export function createMqttSource(config: MqttConfig, ctx: BridgeContext, options: MqttSourceOptions = {}): MqttSource {
  const subs = resolveSubscriptions(config);
  const metrics = createMqttMetrics(ctx.registry);
  const problems = createKeyedProblems(ctx.problems, { prefix: 'mqtt' });
  const channels = new Map(subs.map((s) => [s.name, ctx.channel(s.name)]));
  const counts = new Map(subs.map((s) => [s.name, 0]));
  const route = createRouter(subs);
  const stableMs = options.stableMs ?? STABLE_MS;
  const limits = options.sparkplugLimits ?? SPARKPLUG_LIMITS;
  const sparkplugState = new SparkplugState(limits);
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  let sparkplug: SparkplugContext | undefined;
  let askRebirth: ((group: string, edgeNode: string) => void) | undefined;
  let evicted = 0;
  let starting: Promise<MqttSession> | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;
  let where = config.url;
  /** Open while the connection is failing or flapping; ends once a connection lasted `stableMs`. */
  let outage = false;
  let stable: NodeJS.Timeout | undefined;

  const setAll = (state: 'connecting' | 'disconnected', reason: string): void => {
    for (const channel of channels.values()) channel.set(state === 'connecting' && channel.state() !== 'connecting' ? 'disconnected' : state, reason);
  };

  const sparkplugBookkeeping = (): void => {
    if (sparkplugState.evictions === evicted) return;
    metrics.sparkplugEvictions.inc(sparkplugState.evictions - evicted);
    evicted = sparkplugState.evictions;
    ctx.problems.report(
      'mqtt.sparkplug.evicted',
      `more than ${limits.maxNodes} Sparkplug edge nodes, or ${formatSize(limits.maxBytes)} of their alias tables: the least recently heard are forgotten (fieldbridge_mqtt_sparkplug_nodes_evicted_total) and need a rebirth to be read by alias again`,
    );
  };

  const handle = (topic: string, payload: Uint8Array): void => {
    const found = route(topic);
    const name = found?.sub.name ?? 'none';
    const key = `${name}.${topic.length > 200 ? excerpt(topic, 200) : topic}`;
    ctx.metrics.messages(name);
    if (!found) {
      ctx.metrics.error(name, 'no_rule');
      problems.report(key, 'no_rule', `${excerpt(topic, 200)}: matches no subscription filter (a persistent session can keep an older mapping's subscriptions at the broker)`, { topic: excerpt(topic, 200) });
      return;
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const result = decodeMessage(found.sub, { topic, payload, receivedAtMs: ctx.clock.now() }, sparkplug, found);
    ctx.emit(channels.get(name)!, result.points);
    for (const problem of result.problems) {
      ctx.metrics.error(name, problem.kind);
      problems.report(key, problem.kind, `subscription ${name}: ${excerpt(topic, 200)}: ${problem.message}`, { subscription: name, topic: excerpt(topic, 200) });
    }
    if (result.problems.length === 0) problems.clean(key);
    if (sparkplug) sparkplugBookkeeping();
    if (result.rebirth && found.sub.rebirth) askRebirth?.(result.rebirth.group, result.rebirth.edgeNode);
  };

  const open = async (): Promise<MqttSession> => {
    const clientOptions = buildClientOptions(config, options.readFile);
    where = clientOptions.url;
    if (config.tls?.verify === false) ctx.logger.warn(`${where}: TLS certificate verification is OFF (mqtt.tls.verify: false); anyone on the path can read and forge this data`);
    if (subs.some((s) => s.format === 'sparkplug')) sparkplug = { codec: await loadSparkplugCodec(), state: sparkplugState };
    const session: MqttSession = new MqttSession({
      clientOptions,
      subscriptions: subs.map((s) => ({ name: s.name, topic: s.topic.raw, qos: s.qos })),
      reconnect: { ...reconnectPolicy(config.reconnect), stableMs },
      maxPacketBytes: config.max_packet_size ?? MQTT_DEFAULTS.maxPacketBytes,
      hooks: {
        onConnected(sessionPresent) {
          metrics.connects.inc({ result: 'ok' });
          if (!outage) {
            ctx.logger.info({ broker: where, sessionPresent }, `${where}: connected${sessionPresent ? ' (the broker kept the session)' : ''}`);
            return;
          }
          // A broker that accepts and then closes must not log every cycle: the episode ends once a connection held.
          const recovered = (): void => {
            outage = false;
            ctx.problems.resolve('mqtt.connection', `${where}: connected again${stableMs > 0 ? ` (and the connection held ${formatDuration(stableMs)})` : ''}`);
          };
          if (stableMs > 0) stable = setTimeout(recovered, stableMs).unref();
          else recovered();
        },
        onLost(reason, retryInMs) {
          clearTimeout(stable);
          outage = true;
          setAll('disconnected', `connection lost: ${reason}`);
          ctx.problems.report('mqtt.connection', `${where}: connection lost (${reason}); reconnecting with backoff (next attempt in ${retryInMs} ms)`, { broker: where });
        },
        onConnectFailed(reason, retryInMs) {
          outage = true;
          metrics.connects.inc({ result: 'failed' });
          setAll('connecting', reason);
          ctx.problems.report('mqtt.connection', `${where}: ${reason}; next attempt in ${retryInMs} ms`, { broker: where });
        },
        onSubscription(name, result) {
          const channel = channels.get(name);
          if (result.ok) {
            channel?.set('connected');
            ctx.problems.resolve(`mqtt.subscribe.${name}`, `subscription ${name}: granted`);
          } else {
            const reason = `the broker refused it (${result.refused}); check the topic filter and the broker's ACL`;
            channel?.set('failed', reason);
            ctx.problems.report(`mqtt.subscribe.${name}`, `subscription ${name}: ${reason}`, { subscription: name });
          }
        },
        beforeMessage: () => (ctx.flow.blocked() ? ctx.flow.whenOpen(signal) : undefined),
        onMessage(topic, payload) {
          try {
            handle(topic, payload);
          } catch (err) {
            // Decoding never throws by contract; should a bug make it, one message must not stop the others.
            ctx.metrics.error('none', 'internal');
            ctx.problems.report('mqtt.internal', `a message on ${excerpt(topic, 200)} could not be handled (${excerpt(String(err), 200)}); it was skipped. This is a bug: please report it`, { err });
          }
        },
        onPacketTooLarge: () => metrics.packetsTooLarge.inc(),
      },
      ...(options.connect ? { connect: options.connect } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    askRebirth = sparkplug
      ? createRebirthRequester({ publish: (t, p) => session.publish(t, p), encode: sparkplug.codec.encodeRebirth, clock: ctx.clock, logger: ctx.logger, sent: () => metrics.rebirths.inc() })
      : undefined;
    await session.start();
    return session;
  };

  return {
    async start() {
      if (started || stopping) return;
      started = true;
      starting ??= open();
      await starting;
    },

    stop() {
      stopping ??= (async () => {
        abort.abort();
        clearTimeout(stable);
        // A start that failed has already rejected to its caller; there is nothing to close.
        const opened = await starting?.catch(() => undefined);
        await opened?.stop();
        for (const channel of channels.values()) if (channel.state() === 'connected') channel.set('disconnected', 'stopped');
      })();
      return stopping;
    },

    subscriptions() {
      return subs.map((s) => ({ name: s.name, topic: s.topic.raw, state: channels.get(s.name)?.state() ?? 'connecting', messages: counts.get(s.name) ?? 0 }));
    },
  };
}
