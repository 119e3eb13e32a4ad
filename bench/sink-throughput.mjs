// Points per second from write() to acknowledged by gateway-dev (a separate process), against
// @influxdata/influxdb-client's WriteApi to the same receiver and a raw undici loop (the ceiling).
import { InfluxDB, Point as InfluxPoint } from '@influxdata/influxdb-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSink } from '@fieldbridge/core';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { startGatewayProcess } from './lib/gateway-process.mjs';
import { fmt, median, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_POINTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 1000;
const KEY = 'bench-key';
const T0 = Date.now();
const point = (i) => ({ metric: `line${i % 10}.motor.rpm`, value: 1000 + (i % 500) / 7, timestamp: T0 + i, tags: { site: 'bench', line: `l${i % 10}` } });

async function fieldbridge(gw, options) {
  const sink = createSink({ url: gw.url, apiKey: KEY, sourceId: 'bench', batch: { maxPoints: BATCH, lingerMs: 50 }, logger: pino({ level: 'silent' }), ...options });
  const start = performance.now();
  for (let i = 0; i < N; i++) sink.write(point(i));
  await sink.flush({ timeoutMs: 300_000 });
  const ms = await untilStored(gw, start);
  await sink.close();
  return ms;
}

async function withSpoolDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-'));
  try {
    return await fn(join(dir, 'spool'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// WriteApi.close() can resolve before its last requests are answered, so every scenario's time
// runs until the gateway has stored all N points.
async function untilStored(gw, start) {
  for (let i = 0; i < 30_000; i++) {
    if ((await gw.stats()).points >= N) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gateway stored ${(await gw.stats()).points} of ${N} points`);
}

async function influx(gw) {
  const api = new InfluxDB({ url: gw.origin, token: KEY }).getWriteApi('bench', 'bench', 'ms', { batchSize: BATCH, flushInterval: 50, maxBufferLines: N + BATCH, gzipThreshold: 1024 });
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const p = point(i);
    api.writePoint(new InfluxPoint(p.metric).tag('site', p.tags.site).tag('line', p.tags.line).floatField('value', p.value).timestamp(p.timestamp));
  }
  await api.close();
  return untilStored(gw, start);
}

async function raw(gw) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const start = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const points = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) points.push(point(j));
    const res = await request(gw.url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ source_id: 'bench', points }),
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`raw: HTTP ${res.statusCode}`);
  }
  const ms = await untilStored(gw, start);
  await dispatcher.close();
  return ms;
}

const scenarios = [
  ['raw loop (JSON.stringify + undici POST, no validation, no spool)', raw],
  ['fieldbridge sink, memory spool, gzip', (gw) => fieldbridge(gw, {})],
  ['fieldbridge sink, memory spool, no gzip', (gw) => fieldbridge(gw, { gzip: false })],
  ['fieldbridge sink, SQLite spool (durability: process)', (gw) => withSpoolDir((path) => fieldbridge(gw, { buffer: { path } }))],
  ['fieldbridge sink, SQLite spool (durability: power)', (gw) => withSpoolDir((path) => fieldbridge(gw, { buffer: { path, durability: 'power' } }))],
  ['@influxdata/influxdb-client WriteApi (line protocol, gzip)', influx],
];

export async function run(extraScenarios = []) {
  const gw = await startGatewayProcess(KEY, ['--influx', '--count-only']);
  const results = [];
  try {
    for (const [name, fn] of [...scenarios, ...extraScenarios]) {
      const times = [];
      for (let r = 0; r < ROUNDS; r++) {
        await gw.reset();
        times.push(await fn(gw));
        const stats = await gw.stats();
        if (stats.points !== N) throw new Error(`${name}: gateway stored ${stats.points} of ${N} points`);
      }
      results.push({ name, pps: N / (median(times) / 1000) });
    }
  } finally {
    await gw.stop();
  }
  const ceiling = results[0].pps;
  const influxPps = results.find((r) => r.name.startsWith('@influxdata')).pps;
  writeReport(
    'sink-throughput',
    'Sink throughput: write() to acknowledged',
    `${fmt(N)} points (numeric, 2 tags) per round, batches of ${BATCH}, median of ${ROUNDS} rounds; every scenario's points counted at gateway-dev, running as a separate process on loopback.`,
    ['scenario', 'points/s', 'vs raw ceiling', 'vs influxdb-client'],
    results.map((r) => [r.name, fmt(r.pps), `${fmt(r.pps / ceiling, 2)}x`, `${fmt(r.pps / influxPps, 2)}x`]),
    [
      'The raw loop does no validation, no batching logic, no spool and no gzip: the practical ceiling of one sender.',
      'influxdb-client keeps its retry buffer in memory only; the SQLite rows are the only ones here that survive a crash.',
      'Issue 3 goal: with the durable spool on, at least 50% of the raw ceiling.',
    ],
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
