// One measured OPC UA client, in a process of its own so its CPU time is its own:
//   bare    node-opcua alone: one subscription, the items in a ClientMonitoredItemGroup, a
//           'changed' handler that only counts (the ceiling, the peer the issue names)
//   bare-wire  the bare client plus a plain delivery written the obvious way: each notification
//           a point, and once a second the ideal sender's stringify + gzip + POST to gateway-dev
//   bare-lean  the bare client plus a delivery as lean as it gets by hand: each notification
//           written straight into JSON text (its metric's prefix made once), no gzip, one POST a
//           second to gateway-dev; nothing validated, kept or counted
//   layer   @fieldbridge/bridge-opcua's client layer: connectOpcua + subscribe, each notification
//           decoded into a value record handed to onData, which counts
//   source  the bridge's source on a context without a sink: records to full points, ctx.emit
//           and the standard metrics (what the bridge itself costs, apart from the sink)
//   bridge  the whole bridge under the core's runtime: the mapping's 1,000 nodes, records to full
//           points, ctx.emit, the sink (memory spool, batches of 1000, gzip) and HTTP to
//           gateway-dev in a process of its own; counted as the points gateway-dev stored
//   bridge-batched  the same with batches of up to 10,000 points sealed after a second: one
//           request a second instead of ten
//   requests  no OPC UA at all: a ready 1,000-point gzip body POSTed to gateway-dev every 100 ms
//           with node:http over a keep-alive agent (what ten requests a second cost any Node
//           client, before it handles a single value); counted at gateway-dev
// All subscribe to the same items with the same settings, warm up (node-opcua's RSA self-test
// runs seconds of CPU after loading), then count notifications and CPU time over a window.
// Prints `RESULT {...}` on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const [mode, url, nsIndex, count, warmupMs, measureMs, gatewayUrl, gatewayKey] = process.argv.slice(2);
const n = Number(count);
const PUBLISHING_MS = 100;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const pki = mkdtempSync(join(tmpdir(), 'fb-bench-opcua-'));
let received = 0;
let close;
// How many notifications were handled so far; the bridge's are counted at gateway-dev.
let counter = async () => received;
/**
 * The points gateway-dev stored so far (all sources: only the difference over a window is used).
 * Read with node:http, not fetch: fetch's first call compiles its WebAssembly HTTP parser, whose
 * background compilation (over 100 ms of CPU) landed in the measured window of the clients counted
 * at gateway-dev and in no other.
 */
const storedAtGateway = () =>
  new Promise((resolve, reject) => {
    get(`${new URL(gatewayUrl).origin}/_dev/stats`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body).points));
    }).on('error', reject);
  });

/** node-opcua alone: one subscription, the items in a group, `onChanged(dataValue, index)` per notification. */
async function subscribeBare(onChanged) {
  const opcua = await import('node-opcua');
  // node-opcua writes its warnings to stdout, where this process reports its result.
  opcua.setWarningLogger(() => {});
  opcua.setErrorLogger(() => {});
  const cm = new opcua.OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true });
  const client = opcua.OPCUAClient.create({ endpointMustExist: false, clientCertificateManager: cm, connectionStrategy: { maxRetry: 1 } });
  await client.connect(url);
  const session = await client.createSession();
  const subscription = await session.createSubscription2({ requestedPublishingInterval: PUBLISHING_MS, requestedLifetimeCount: 6000, requestedMaxKeepAliveCount: 100, publishingEnabled: true });
  const items = Array.from({ length: n }, (_, i) => ({ nodeId: `ns=${nsIndex};s=Bench.${i}`, attributeId: opcua.AttributeIds.Value }));
  const group = opcua.ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: PUBLISHING_MS, queueSize: 10, discardOldest: true }, opcua.TimestampsToReturn.Both);
  group.on('changed', (_item, dataValue, index) => onChanged(dataValue, index));
  await new Promise((resolve) => group.once('initialized', resolve));
  return async () => {
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    await cm.dispose();
  };
}

if (mode === 'bare') {
  close = await subscribeBare(() => {
    received += 1;
  });
} else if (mode === 'bare-wire') {
  // A plain delivery of what the bare client receives: each notification a point (name, value,
  // source time), and once a second the ideal sender's wire work for what arrived (stringify,
  // gzip level 1, POST to gateway-dev), counted there. No validation, spool or metrics.
  const { idealPoster } = await import('./ideal-sender.mjs');
  const poster = idealPoster({ url: gatewayUrl, key: gatewayKey });
  const names = Array.from({ length: n }, (_, i) => `bench.${i}`);
  let points = [];
  const unsubscribe = await subscribeBare((dataValue, index) => {
    points.push({ metric: names[index], value: dataValue.value.value, timestamp: dataValue.sourceTimestamp?.getTime() ?? Date.now() });
  });
  const timer = setInterval(() => {
    const held = points;
    points = [];
    // The wire takes at most 10,000 points a request: a second that brought more (a publish late
    // by a few ms lands two in one second) is sent in two.
    for (let i = 0; i < held.length; i += 10_000) {
      poster.body(held.slice(i, i + 10_000)).then(poster.post).catch((err) => process.stderr.write(`bare-wire: ${err.message}\n`));
    }
  }, 1000);
  counter = storedAtGateway;
  close = async () => {
    clearInterval(timer);
    await unsubscribe();
    poster.close();
  };
} else if (mode === 'bare-lean') {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const headers = { 'content-type': 'application/json', 'x-api-key': gatewayKey };
  const prefixes = Array.from({ length: n }, (_, i) => `{"metric":"bench.${i}","value":`);
  let parts = [];
  const post = () => {
    if (parts.length === 0) return;
    const body = Buffer.from(`{"source_id":"bench","points":[${parts.join(',')}]}`);
    parts = [];
    const req = request(gatewayUrl, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => res.resume());
    req.on('error', (err) => process.stderr.write(`bare-lean: ${err.message}\n`));
    req.end(body);
  };
  const unsubscribe = await subscribeBare((dataValue, index) => {
    parts.push(`${prefixes[index]}${dataValue.value.value},"timestamp":${dataValue.sourceTimestamp?.getTime() ?? Date.now()}}`);
    // The wire takes at most 10,000 points a request.
    if (parts.length === 10_000) post();
  });
  const timer = setInterval(post, 1000);
  counter = storedAtGateway;
  close = async () => {
    clearInterval(timer);
    await unsubscribe();
    agent.destroy();
  };
} else if (mode === 'requests') {
  const { idealPoster } = await import('./ideal-sender.mjs');
  const poster = idealPoster({ url: gatewayUrl, key: gatewayKey });
  const now = Date.now();
  const body = await poster.body(Array.from({ length: n }, (_, i) => ({ metric: `bench.${i}`, value: Math.sin(i) * 100, timestamp: now })));
  const timer = setInterval(() => poster.post(body).catch((err) => process.stderr.write(`requests: ${err.message}\n`)), PUBLISHING_MS);
  counter = storedAtGateway;
  close = async () => {
    clearInterval(timer);
    poster.close();
  };
} else if (mode === 'bridge' || mode === 'bridge-batched') {
  const { opcuaBridge } = await import('@fieldbridge/bridge-opcua');
  const { parseMapping, startBridge } = await import('@fieldbridge/core');
  const { pino } = await import('pino');
  const mapping = {
    source_id: 'bench-opcua',
    sink: { url: gatewayUrl, api_key: gatewayKey, batch: mode === 'bridge' ? { max_points: 1000, linger_ms: 50 } : { max_points: 10_000, linger_ms: 1000 } },
    opcua: {
      endpoint: url,
      pki,
      publishing_interval_ms: PUBLISHING_MS,
      nodes: Array.from({ length: n }, (_, i) => ({ metric: `bench.${i}`, node_id: `ns=${nsIndex};s=Bench.${i}`, sampling_interval_ms: PUBLISHING_MS })),
    },
  };
  // JSON is YAML: the mapping goes through the loader and the bridge's checks like a file would.
  const config = parseMapping(JSON.stringify(mapping), 'bench.yaml', opcuaBridge, {});
  const bridge = await startBridge(opcuaBridge, config, { logger: pino({ level: 'silent' }) });
  // The window counts what gateway-dev stored, read at its start and its end.
  counter = storedAtGateway;
  close = async () => {
    await bridge.stop();
  };
} else if (mode === 'source') {
  const { createOpcuaSource, opcuaConfigSchema } = await import('@fieldbridge/bridge-opcua');
  const { createClock, createProblemReporter } = await import('@fieldbridge/core');
  const { createSourceMetrics } = await import('@fieldbridge/core/bridge');
  const { Registry } = await import('prom-client');
  const { pino } = await import('pino');
  const silentPino = pino({ level: 'silent' });
  const registry = new Registry();
  const metrics = createSourceMetrics(registry, 'opcua');
  // The runtime's context minus the sink: what the bridge's own work costs, points counted as emitted.
  const ctx = {
    emit(channel, points) {
      metrics.points(typeof channel === 'string' ? channel : channel.name, points.length);
      received += points.length;
    },
    channel(name) {
      let state = 'connecting';
      return { name, required: true, state: () => state, set: (next) => void (state = next), close() {} };
    },
    flow: { blocked: () => false, whenOpen: async () => undefined },
    metrics,
    sink: { write() {}, send() {} },
    logger: silentPino,
    registry,
    clock: createClock(),
    problems: createProblemReporter(silentPino),
    signal: new AbortController().signal,
    // No reloads in a bench: what a bridge keeps across them is made afresh.
    acrossReloads: (_key, make) => make(),
  };
  const section = opcuaConfigSchema.parse({
    endpoint: url,
    pki,
    publishing_interval_ms: PUBLISHING_MS,
    nodes: Array.from({ length: n }, (_, i) => ({ metric: `bench.${i}`, node_id: `ns=${nsIndex};s=Bench.${i}`, sampling_interval_ms: PUBLISHING_MS })),
  });
  const source = createOpcuaSource(section, ctx);
  await source.start();
  close = () => source.stop();
} else {
  const { connectOpcua, subscribe } = await import('@fieldbridge/bridge-opcua');
  const connection = await connectOpcua({ endpointUrl: url, pki: { dir: pki, trust: 'always' }, logger: silent });
  const sub = await subscribe(connection, {
    publishingIntervalMs: PUBLISHING_MS,
    variables: Array.from({ length: n }, (_, i) => ({ key: `bench.${i}`, nodeId: `ns=${nsIndex};s=Bench.${i}`, samplingIntervalMs: PUBLISHING_MS })),
    onData: (batch) => {
      received += batch.values.length;
    },
  });
  close = async () => {
    await sub.close();
    await connection.close();
  };
}

// The counter's first call is made before the warm-up, so whatever it loads is not in the window.
await counter();
await delay(Number(warmupMs));
const startCount = await counter();
const startCpu = process.cpuUsage();
const start = performance.now();
await delay(Number(measureMs));
const cpu = process.cpuUsage(startCpu);
const seconds = (performance.now() - start) / 1000;
const notifications = (await counter()) - startCount;
await close();
rmSync(pki, { recursive: true, force: true });
process.stdout.write(`RESULT ${JSON.stringify({ mode, notifications, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
process.exit(0);
