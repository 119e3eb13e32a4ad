// Messages per second, and CPU per message of the measured process, from mosquitto through
// bridge-mqtt to gateway-dev, against a bare mqtt.js subscriber that only counts (the ceiling),
// in the same run: same broker, same publisher (its own process), same messages, scenarios in a
// shuffled order each round. The gateway runs as a separate process, counting only.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMqttSource, mqttBridge, mqttConfigSchema } from '@fieldbridge/bridge-mqtt';
import { createClock, createProblemReporter, parseMapping, startBridge } from '@fieldbridge/core';
import { createSourceMetrics } from '@fieldbridge/core/bridge';
import { connect, connectAsync } from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startGatewayProcess } from './lib/gateway-process.mjs';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { fmt, median, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_MQTT_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_MQTT_ROUNDS ?? 5);
const QOS = 1;
const KEY = 'bench-key';
const silent = pino({ level: 'silent' });
const publisherScript = fileURLToPath(new URL('./lib/mqtt-publisher.mjs', import.meta.url));
const subscription = { topic: 'bench/+/+/temp', qos: QOS, metric: '{topic.1}.{topic.2}.temperature', value: '$.reading.value', tags: { line: '{topic.1}' } };

/** Publishes N messages from a separate process and resolves once the broker acknowledged them all. */
async function publishAll(url) {
  const child = spawn(process.execPath, [publisherScript, url, String(N), String(QOS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'ready') child.stdin.write('go\n');
    if (line.startsWith('published')) break;
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`publisher exited ${code}`);
}

/** Resolves once `check()` is true, polling (the gateway process has no push notification). */
async function until(check, what, timeoutMs = 120_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A persistent session at the broker: messages published while it is away wait in its queue. */
const session = (name) => ({ client_id: `bench-${name}`, clean: false });

/** The ceiling: an mqtt.js client that counts messages and does nothing else. */
function bare(broker) {
  const options = { clientId: 'bench-bare', clean: false, reconnectPeriod: 0 };
  return {
    async prepare() {
      const client = await connectAsync(broker.url, options);
      await client.subscribeAsync(subscription.topic, { qos: QOS });
      await client.endAsync();
    },
    async drain() {
      let count = 0;
      let resolveAll;
      const all = new Promise((resolve) => (resolveAll = resolve));
      const window = startWindow();
      // Listening before the CONNACK: queued messages follow it at once.
      const client = connect(broker.url, options);
      client.on('message', () => {
        if (++count === N) resolveAll(window.end());
      });
      const measured = await all;
      await client.endAsync();
      return measured;
    },
  };
}

/**
 * Wall and CPU time (user + system, this process) from now to `end()`: each scenario marks its
 * own window, so what it does before and after (resetting the gateway, checking its count,
 * stopping) is not counted.
 */
function startWindow() {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return {
    end() {
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - start, cpuUs: used.user + used.system };
    },
  };
}

/**
 * A bridge context that counts what is emitted and nothing else: channels only keep their state,
 * the standard metrics are real (prom-client counters, as in production).
 */
function countingContext(counted, onAll, onSubscribed, window) {
  let count = 0;
  const registry = new Registry();
  const channel = (name) => {
    let state = 'connecting';
    return { name, required: true, state: () => state, set: (next) => (state = next) === 'connected' && onSubscribed(), close() {} };
  };
  const metrics = createSourceMetrics(registry, 'mqtt');
  return {
    emit(ch, points) {
      metrics.points(typeof ch === 'string' ? ch : ch.name, points.length);
      count += points.length;
      if (count === counted) onAll(window?.end());
    },
    channel,
    flow: { blocked: () => false, whenOpen: async () => undefined },
    metrics,
    sink: { write() {}, send() {} },
    logger: silent,
    registry,
    clock: createClock(),
    problems: createProblemReporter(silent),
    signal: new AbortController().signal,
    // No reloads in a bench: what a bridge keeps across them is made afresh.
    acrossReloads: (_key, make) => make(),
  };
}

/** bridge-mqtt's source (connection, routing, JSON decode, templates, standard metrics) writing to a counter. */
function decodeOnly(broker) {
  const config = mqttConfigSchema.parse({ url: broker.url, ...session('source'), subscriptions: [subscription] });
  const run = async (counted) => {
    let resolveAll;
    let resolveSubscribed;
    const all = new Promise((resolve) => (resolveAll = resolve));
    const subscribed = new Promise((resolve) => (resolveSubscribed = resolve));
    const window = startWindow();
    const source = createMqttSource(config, countingContext(counted, resolveAll, resolveSubscribed, window));
    await source.start();
    const measured = await (counted === 0 ? subscribed : all);
    await source.stop();
    return measured;
  };
  return { prepare: () => run(0), drain: () => run(N) };
}

/** The whole bridge: source, sink (memory spool, batches of 1000, gzip) and HTTP to gateway-dev. */
function fullBridge(broker, gw) {
  const yaml = `
source_id: bench
sink: { url: '${gw.url}', api_key: ${KEY}, batch: { max_points: 1000, linger_ms: 50 } }
mqtt:
  url: ${broker.url}
  client_id: bench-bridge
  clean: false
  subscriptions:
    - ${JSON.stringify(subscription)}
`;
  const config = parseMapping(yaml, 'bench.yaml', mqttBridge, {});
  return {
    async prepare() {
      const bridge = await startBridge(mqttBridge, config, { logger: silent });
      await until(() => bridge.readiness().ready, 'the bridge to subscribe', 10_000);
      await bridge.stop();
    },
    async drain() {
      await gw.reset();
      const window = startWindow();
      const bridge = await startBridge(mqttBridge, config, { logger: silent });
      // Done when the gateway has acknowledged every point: read from the sink's own counter, so
      // the measured process spends nothing on polling the gateway (its count is checked after).
      const sent = bridge.registry.getSingleMetric('fieldbridge_points_sent_total');
      await until(async () => (await sent.get()).values[0]?.value >= N, `${N} points acknowledged by the gateway`);
      const measured = window.end();
      await bridge.stop();
      const stored = (await gw.stats()).points;
      if (stored !== N) throw new Error(`gateway stored ${stored} of ${N} points`);
      return measured;
    },
  };
}

/** Fisher-Yates, so no scenario always drains first (a warm or cold broker, a busy or idle machine). */
function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}


export async function run() {
  const broker = await startMosquitto({ queue: { maxQueuedMessages: 0, maxInflightMessages: 1000 }, extra: ['max_queued_bytes 0'] });
  const gw = await startGatewayProcess(KEY, ['--count-only']);
  const scenarios = [
    ['bare mqtt.js subscriber, counting only (ceiling)', bare(broker)],
    ['bridge-mqtt source: route + JSON decode + templates + standard metrics, no sink', decodeOnly(broker)],
    ['bridge-mqtt -> sink -> gateway-dev (HTTP, gzip, memory spool)', fullBridge(broker, gw)],
  ];
  const samples = scenarios.map(() => []);
  try {
    for (const [, scenario] of scenarios) await scenario.prepare();
    for (let r = 0; r < ROUNDS; r++) {
      // One publish fills every scenario's session queue; each then drains it in turn.
      await publishAll(broker.url);
      for (const i of shuffled(scenarios.keys())) samples[i].push(await scenarios[i][1].drain());
    }
  } finally {
    await gw.stop();
    await broker.close();
  }
  const results = scenarios.map(([name], i) => {
    const rates = samples[i].map((s) => N / (s.ms / 1000));
    return { name, mps: median(rates), min: Math.min(...rates), max: Math.max(...rates), cpuUsPerMessage: median(samples[i].map((s) => s.cpuUs / N)) };
  });
  const [ceiling] = results;
  writeReport(
    'mqtt-throughput',
    'MQTT throughput: mosquitto to gateway-dev',
    `${fmt(N)} JSON messages (QoS ${QOS}, 500 topics, one reading each) per round, published by a separate process into each scenario's persistent session at Debian's mosquitto while it is away; then each scenario connects and the time to take in all of them is measured (so the publisher's own speed does not cap the result), with the CPU time this process spent meanwhile. ${ROUNDS} rounds, scenarios in a shuffled order each round; medians, with the range of messages/s. Each bridge message becomes one point; the full pipeline's time runs until gateway-dev (a separate process) has acknowledged every one (read from the sink's fieldbridge_points_sent_total counter; the gateway's own count is checked afterwards).`,
    ['scenario', 'messages/s (min-max)', 'vs bare subscriber', 'CPU µs/message', 'CPU vs bare'],
    results.map((r) => [r.name, `${fmt(r.mps)} (${fmt(r.min)}-${fmt(r.max)})`, `${fmt(r.mps / ceiling.mps, 2)}x`, fmt(r.cpuUsPerMessage, 1), `${fmt(r.cpuUsPerMessage / ceiling.cpuUsPerMessage, 2)}x`]),
    [
      'The bare subscriber does no decoding and delivers nothing: the ceiling of one mqtt.js connection on this machine and broker.',
      'CPU is this process only (mqtt.js, bridge, sink); mosquitto, the publisher and gateway-dev run in their own processes.',
      'The full pipeline batches 1000 points per request (linger 50 ms); the sink validates and stamps every point before sending.',
      'mosquitto: max_inflight_messages 1000, unlimited queues. mosquitto, the measured process and gateway-dev share the machine\'s cores.',
    ],
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
