// 1,000 OPC UA monitored items changing at 10 Hz: notifications per second and CPU share of a
// bare node-opcua client subscription that only counts (the peer), and of bridge-opcua's client
// layer receiving the same notifications and turning each into a value record, in the same run.
// The server and each client run in processes of their own, the clients taking turns, so each
// client's CPU time is its own. (The path through the bridge into gateway-dev comes with the
// bridge itself.)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fmt, median, writeReport } from './lib/report.mjs';

const ITEMS = Number(process.env.BENCH_OPCUA_ITEMS ?? 1000);
const PERIOD_MS = 100;
const ROUNDS = Number(process.env.BENCH_OPCUA_ROUNDS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_OPCUA_WARMUP_MS ?? 6000);
const MEASURE_MS = Number(process.env.BENCH_OPCUA_MEASURE_MS ?? 10_000);
const lib = (name) => fileURLToPath(new URL(`./lib/${name}`, import.meta.url));

/** Starts the server process; resolves with its URL and namespace index once it serves. */
async function startServer(pkiDir) {
  const child = spawn(process.execPath, [lib('opcua-server.mjs'), String(ITEMS), String(PERIOD_MS), pkiDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    const ready = /^ready (\S+) (\d+)$/.exec(line);
    if (ready) return { url: ready[1], ns: ready[2], stop: () => (child.kill('SIGTERM'), exited) };
  }
  throw new Error('the OPC UA bench server exited before it served');
}

/** Runs one measured client process; resolves with what it counted. */
async function measure(mode, server) {
  const child = spawn(process.execPath, [lib('opcua-client.mjs'), mode, server.url, server.ns, String(ITEMS), String(WARMUP_MS), String(MEASURE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let result;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
  }
  if (!result) throw new Error(`the ${mode} client reported nothing`);
  return { rate: result.notifications / result.seconds, cpu: result.cpuSeconds / result.seconds };
}

export async function run() {
  const pkiDir = mkdtempSync(join(tmpdir(), 'fb-bench-opcua-server-'));
  const server = await startServer(pkiDir);
  const runs = { bare: [], layer: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of ['bare', 'layer']) runs[mode].push(await measure(mode, server));
    }
  } finally {
    await server.stop();
    rmSync(pkiDir, { recursive: true, force: true });
  }
  const summary = (mode) => ({ rate: median(runs[mode].map((m) => m.rate)), cpu: median(runs[mode].map((m) => m.cpu)) });
  const bare = summary('bare');
  const layer = summary('layer');
  const offered = (ITEMS * 1000) / PERIOD_MS;
  writeReport(
    'opcua-subscribe',
    'OPC UA subscription: 1,000 items at 10 Hz, client layer vs bare node-opcua',
    `A node-opcua server (its own process) changes ${fmt(ITEMS)} Double variables every ${PERIOD_MS} ms (${fmt(offered)} changes/s). Each client subscribes to all of them (publishing and sampling interval ${PERIOD_MS} ms, one subscription, items created in groups), warms up ${WARMUP_MS / 1000} s, then counts notifications and its own CPU time (user + system, all threads) over ${MEASURE_MS / 1000} s. The two clients run one after the other in processes of their own; median of ${ROUNDS} rounds each.`,
    ['client', 'notifications/s', 'CPU (% of one core)', 'rate vs bare', 'CPU vs bare'],
    [
      ['bare node-opcua: ClientMonitoredItemGroup, counting only (peer)', fmt(bare.rate), fmt(bare.cpu * 100, 1), '1.00x', '1.00x'],
      ['bridge-opcua client layer: notification -> value records', fmt(layer.rate), fmt(layer.cpu * 100, 1), `${fmt(layer.rate / bare.rate, 2)}x`, `${fmt(layer.cpu / bare.cpu, 2)}x`],
    ],
    [
      'The layer decodes every DataValue (built-in type, status severity and name, overflow bit, timestamp by the item\'s rule) into a record and hands each NotificationMessage\'s records to onData in one batch; it reads the subscription\'s raw notifications (node-opcua still runs its own per-item dispatch, to no listener).',
      'Phase 2 measures the whole bridge (records to points through the sink into gateway-dev); its goal is at least 0.7 of the bare rate at no more than 1.5x its CPU.',
      'Numbers measured on a shared 2-core machine with other work running are provisional: re-run on a quiet machine.',
      ...['bare', 'layer'].map((mode) => `${mode} rounds: ${runs[mode].map((m) => `${fmt(m.rate)}/s at ${fmt(m.cpu * 100, 1)} %`).join(', ')}.`),
    ],
  );
  return { bare, layer };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
