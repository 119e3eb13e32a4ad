// Time to drain a 1,000,000-point backlog from the SQLite spool after an outage, against the raw
// loop sending the same points (the ceiling), both to gateway-dev in a separate process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSink } from '@fieldbridge/core';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { startGatewayProcess } from './lib/gateway-process.mjs';
import { fmt, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_BACKLOG_POINTS ?? 1_000_000);
const KEY = 'bench-key';
const T0 = Date.now();
const point = (i) => ({ metric: `line${i % 10}.motor.rpm`, value: (i % 5000) / 7, timestamp: T0 + i });
const silent = pino({ level: 'silent' });

async function faults(gw, plan) {
  await fetch(`${gw.origin}/_dev/faults`, plan ? { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) } : { method: 'DELETE' });
}

async function raw(gw) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const start = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const points = [];
    for (let j = i; j < Math.min(N, i + 1000); j++) points.push(point(j));
    const res = await request(gw.url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ source_id: 'bench', points }) });
    await res.body.text();
  }
  await dispatcher.close();
  return performance.now() - start;
}

export async function run() {
  const gw = await startGatewayProcess(KEY, ['--count-only']);
  const dir = mkdtempSync(join(tmpdir(), 'fb-drain-'));
  try {
    const rawMs = await raw(gw);
    await gw.reset();

    await faults(gw, { status: 503 });
    const options = { url: gw.url, apiKey: KEY, sourceId: 'bench', buffer: { path: join(dir, 'spool'), maxBytes: 2 * 1024 ** 3 }, batch: { maxPoints: 1000, lingerMs: 50 }, logger: silent, shutdownTimeoutMs: 0, retry: { initialDelayMs: 60_000 } };
    const fillStart = performance.now();
    const offline = createSink(options);
    for (let i = 0; i < N; i++) offline.write(point(i));
    await offline.close();
    const fillMs = performance.now() - fillStart;
    await faults(gw, undefined);
    await gw.reset();

    const drainStart = performance.now();
    const online = createSink({ ...options, retry: undefined });
    await online.flush({ timeoutMs: 600_000 });
    const drainMs = performance.now() - drainStart;
    await online.close();
    const stored = (await gw.stats()).points;
    if (stored < N) throw new Error(`drain delivered ${stored} of ${N}`);

    writeReport(
      'backlog-drain',
      'Backlog drain: 1,000,000 points from the SQLite spool',
      `${fmt(N)} points written during an outage (gateway answering 503) into the SQLite spool, then delivered after the gateway recovers, to gateway-dev in a separate process. No rate ceiling (\`max_points_per_s\` unset).`,
      ['phase', 'time', 'points/s', 'vs raw ceiling'],
      [
        ['raw loop sending the same points (ceiling)', `${fmt(rawMs / 1000, 1)} s`, fmt(N / (rawMs / 1000)), '1.00x'],
        ['spooling during the outage (write() to on disk)', `${fmt(fillMs / 1000, 1)} s`, fmt(N / (fillMs / 1000)), '-'],
        ['draining the backlog (restart to all acknowledged)', `${fmt(drainMs / 1000, 1)} s`, fmt(N / (drainMs / 1000)), `${fmt(rawMs / drainMs, 2)}x`],
      ],
      [`Stored by the gateway: ${fmt(stored)} points (${fmt(stored - N)} duplicates from batches in flight when the outage began).`],
    );
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
