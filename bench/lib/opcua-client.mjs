// One measured OPC UA client, in a process of its own so its CPU time is its own:
//   bare   node-opcua alone: one subscription, the items in a ClientMonitoredItemGroup, a
//          'changed' handler that only counts (the ceiling)
//   layer  @fieldbridge/bridge-opcua: connectOpcua + subscribe, each notification decoded into
//          a value record (value, quality, status, timestamp) handed to onData, which counts
// Both subscribe to the same items with the same settings, warm up (node-opcua's RSA self-test
// runs seconds of CPU after loading), then count notifications and CPU time over a window.
// Prints `RESULT {...}` on stdout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const [mode, url, nsIndex, count, warmupMs, measureMs] = process.argv.slice(2);
const n = Number(count);
const PUBLISHING_MS = 100;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const pki = mkdtempSync(join(tmpdir(), 'fb-bench-opcua-'));
let received = 0;
let close;

if (mode === 'bare') {
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
  group.on('changed', () => {
    received += 1;
  });
  await new Promise((resolve) => group.once('initialized', resolve));
  close = async () => {
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    await cm.dispose();
  };
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

await delay(Number(warmupMs));
const startCount = received;
const startCpu = process.cpuUsage();
const start = performance.now();
await delay(Number(measureMs));
const cpu = process.cpuUsage(startCpu);
const seconds = (performance.now() - start) / 1000;
const notifications = received - startCount;
await close();
process.stdout.write(`RESULT ${JSON.stringify({ mode, notifications, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
process.exit(0);
