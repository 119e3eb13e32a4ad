import type { BridgeContext, BridgeInstance, SourceState } from '@fieldbridge/core';
import type { IClientOptions, MqttClient } from 'mqtt';
import { createMqttMetrics } from './_metrics.js';
import { TopicProblems } from './_problems.js';
import { MqttSession } from './_session.js';
import type { MqttConfig } from './config.js';
import { buildClientOptions } from './connection.js';
import { decodeMessage } from './decode.js';
import { MqttBridgeError } from './errors.js';
import { MQTT_DEFAULTS, resolveSubscriptions, type ResolvedSubscription } from './resolve.js';
import { loadSparkplugCodec, type SparkplugCodec } from './sparkplug-codec.js';
import { SparkplugState, type SparkplugContext } from './sparkplug.js';
import { topicLevels, topicMatches } from './topic.js';

/** Shortest interval between two rebirth requests to one Sparkplug edge node, in ms. */
export const REBIRTH_INTERVAL_MS = 30_000;

/** Options of {@link createMqttSource}, mostly for tests and benchmarks. */
export interface MqttSourceOptions {
  /** Creates the mqtt.js client; defaults to mqtt.js's `connect`, loaded on first use. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
  /** Random source for reconnect jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Reads TLS files given as paths. Default `fs.readFileSync`. */
  readFile?: (path: string) => Buffer;
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
  /**
   * Connects (unless started) and resolves once every subscription has delivered a message or
   * was refused, or after `once_timeout_ms` (default 10 000) with a warning naming the silent
   * ones. Rejects `CONNECT_FAILED` when no connection could be made within that time, and
   * `SUBSCRIBE_FAILED` when the broker refused every subscription.
   */
  once(): Promise<void>;
}

/**
 * Creates the MQTT source: one broker connection (mqtt.js, loaded in `start()`/`once()`),
 * every subscription's messages decoded with its rule and written to the sink. Messages
 * matching no rule, or not decoding, are counted by kind and logged once per topic.
 */
export function createMqttSource(config: MqttConfig, ctx: BridgeContext, options: MqttSourceOptions = {}): MqttSource {
  const subs = resolveSubscriptions(config);
  const metrics = createMqttMetrics(ctx.registry);
  const topicProblems = new TopicProblems(ctx.problems);
  const states = new Map<string, SourceState>();
  const counts = new Map<string, number>(subs.map((s) => [s.name, 0]));
  // Labelled children once, rather than a label lookup per message.
  const perSub = new Map(subs.map((s) => [s, { messages: metrics.messages.labels({ subscription: s.name }), points: metrics.points.labels({ subscription: s.name }) }]));
  const sparkplugState = new SparkplugState();
  let sparkplug: SparkplugContext | undefined;
  let starting: Promise<MqttSession> | undefined;
  let started = false;
  let everConnected = false;
  let lastFailure: string | undefined;
  /** Set while once() waits: checks whether it may stop waiting (`force`: stop now). */
  let waiter: ((force?: boolean) => void) | undefined;
  let stopping: Promise<void> | undefined;
  let where = config.url;
  let session: MqttSession | undefined;
  const rebirthAsked = new Map<string, number>();

  /** Asks an edge node for its births (NCMD Node Control/Rebirth), at most every REBIRTH_INTERVAL_MS. */
  const askRebirth = (group: string, edgeNode: string): void => {
    const key = `${group}/${edgeNode}`;
    const now = ctx.clock.monotonicNow();
    const last = rebirthAsked.get(key);
    if (!sparkplug || (last !== undefined && now - last < REBIRTH_INTERVAL_MS)) return;
    const topic = `spBv1.0/${group}/NCMD/${edgeNode}`;
    if (!session?.publish(topic, sparkplug.codec.encodeRebirth(ctx.clock.now()))) return;
    rebirthAsked.set(key, now);
    metrics.rebirths.inc();
    ctx.logger.info({ group, edge_node: edgeNode }, `asked Sparkplug edge node ${key} for a rebirth (${topic})`);
  };

  const setState = (name: string, state: SourceState): void => {
    if (states.get(name) === state) return;
    states.set(name, state);
    ctx.setSourceState(name, state);
  };
  for (const sub of subs) setState(sub.name, 'connecting');

  const handle = (topic: string, payload: Uint8Array): void => {
    const receivedAtMs = ctx.clock.now();
    const levels = topicLevels(topic);
    const sub = subs.find((s) => topicMatches(s.topic, levels));
    if (!sub) {
      metrics.messages.inc({ subscription: 'none' });
      metrics.decodeErrors.inc({ subscription: 'none', kind: 'no_rule' });
      topicProblems.report('none', topic, 'no_rule', 'matches no subscription filter (a persistent session can keep an older mapping\'s subscriptions at the broker)');
      return;
    }
    const counters = perSub.get(sub);
    counters?.messages.inc();
    counts.set(sub.name, (counts.get(sub.name) ?? 0) + 1);
    const result = decodeMessage(sub, { topic, payload, receivedAtMs }, sparkplug);
    for (const point of result.points) ctx.sink.write(point);
    if (result.points.length > 0) counters?.points.inc(result.points.length);
    for (const problem of result.problems) {
      metrics.decodeErrors.inc({ subscription: sub.name, kind: problem.kind });
      topicProblems.report(sub.name, topic, problem.kind, problem.message);
    }
    if (result.problems.length === 0) topicProblems.clean(topic);
    if (result.rebirth && sub.rebirth) askRebirth(result.rebirth.group, result.rebirth.edgeNode);
    waiter?.();
  };

  const open = async (): Promise<MqttSession> => {
    const clientOptions = buildClientOptions(config, options.readFile);
    where = clientOptions.url;
    if (config.tls?.verify === false) ctx.logger.warn(`${where}: TLS certificate verification is OFF (mqtt.tls.verify: false); anyone on the path can read and forge this data`);
    if (subs.some((s) => s.format === 'sparkplug')) sparkplug = { codec: await loadSparkplugCodec(), state: sparkplugState };
    const created = new MqttSession({
      clientOptions,
      subscriptions: subs.map((s) => ({ name: s.name, topic: s.topic.raw, qos: s.qos })),
      reconnect: { initialMs: config.reconnect?.initial_ms ?? MQTT_DEFAULTS.reconnectInitialMs, maxMs: config.reconnect?.max_ms ?? MQTT_DEFAULTS.reconnectMaxMs },
      hooks: {
        onConnected(sessionPresent) {
          everConnected = true;
          metrics.connected.set(1);
          metrics.connects.inc({ result: 'ok' });
          ctx.problems.resolve('mqtt.connection', `${where}: connected`);
          ctx.logger.info({ broker: where, sessionPresent }, `${where}: connected${sessionPresent ? ' (the broker kept the session)' : ''}`);
        },
        onLost(reason) {
          metrics.connected.set(0);
          for (const sub of subs) setState(sub.name, 'disconnected');
          ctx.problems.report('mqtt.connection', `${where}: connection lost (${reason}); reconnecting with backoff`, { broker: where });
        },
        onConnectFailed(reason, retryInMs) {
          lastFailure = reason;
          metrics.connects.inc({ result: 'failed' });
          ctx.problems.report('mqtt.connection', `${where}: ${reason}; next attempt in ${retryInMs} ms`, { broker: where });
          waiter?.();
        },
        onSubscription(name, result) {
          if (result.ok) {
            setState(name, 'connected');
            ctx.problems.resolve(`mqtt.subscribe.${name}`, `subscription ${name}: granted`);
          } else {
            setState(name, 'failed');
            ctx.problems.report(`mqtt.subscribe.${name}`, `subscription ${name}: the broker refused it (${result.refused}); check the topic filter and the broker's ACL`, { subscription: name });
          }
          waiter?.();
        },
        onMessage: (topic, payload) => handle(topic, payload),
      },
      ...(options.connect ? { connect: options.connect } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    session = created;
    await created.start();
    return created;
  };
  const ensure = (): Promise<MqttSession> => {
    starting ??= open();
    return starting;
  };

  const waitForFirstMessages = (timeoutMs: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): boolean => subs.every((s) => (counts.get(s.name) ?? 0) > 0 || states.get(s.name) === 'failed');
      const timer = setTimeout(finish, timeoutMs);
      function finish(): void {
        clearTimeout(timer);
        waiter = undefined;
        resolve();
      }
      waiter = (force) => {
        if (force || done()) finish();
      };
      waiter();
    });

  return {
    async start() {
      if (started || stopping) return;
      started = true;
      await ensure();
    },

    async once() {
      const opened = await ensure();
      await waitForFirstMessages(config.once_timeout_ms ?? MQTT_DEFAULTS.onceTimeoutMs);
      const silent = subs.filter((s) => (counts.get(s.name) ?? 0) === 0 && states.get(s.name) !== 'failed').map((s) => s.name);
      const refused = subs.filter((s) => states.get(s.name) === 'failed').map((s) => s.name);
      let failure: MqttBridgeError | undefined;
      if (!everConnected) failure = new MqttBridgeError('CONNECT_FAILED', `${where}: ${lastFailure ?? 'not connected'} (gave up after once_timeout_ms)`);
      else if (refused.length === subs.length) failure = new MqttBridgeError('SUBSCRIBE_FAILED', `the broker refused every subscription (${refused.join(', ')})`);
      if (failure) {
        if (!started) await opened.stop();
        throw failure;
      }
      if (silent.length > 0) ctx.logger.warn({ silent }, `--once: no message within ${config.once_timeout_ms ?? MQTT_DEFAULTS.onceTimeoutMs} ms on ${silent.join(', ')}`);
    },

    stop() {
      stopping ??= (async () => {
        waiter?.(true);
        // A start that failed has already rejected to its caller; there is nothing to close.
        const opened = await starting?.catch(() => undefined);
        await opened?.stop();
        metrics.connected.set(0);
      })();
      return stopping;
    },

    subscriptions() {
      return subs.map((s: ResolvedSubscription) => ({ name: s.name, topic: s.topic.raw, state: states.get(s.name) ?? 'connecting', messages: counts.get(s.name) ?? 0 }));
    },
  };
}
