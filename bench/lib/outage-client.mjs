// The sending side of the outage benchmark, in its own process:
//   node outage-client.mjs URL POINTS SPOOL   (SPOOL: a directory for the SQLite spool, or "memory:<max bytes>")
// Phase 1 writes POINTS plant points (lib/plant-points.mjs) as fast as the sink takes them while
// the receiver is down, and prints {"phase":"outage", ...} once every point is spooled or counted
// as dropped. It then waits for a line on stdin (the receiver is up again), drains, and prints
// {"phase":"drain", ...}. The SQLite spool keeps its default cap; the memory spool gets the one named.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSink } from '@fieldbridge/core';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { plantPoint } from './plant-points.mjs';

const [url, pointsArg, spoolArg] = process.argv.slice(2);
const N = Number(pointsArg);
const memoryCap = spoolArg.startsWith('memory:') ? Number(spoolArg.slice('memory:'.length)) : undefined;

const registry = new Registry();
const sink = createSink({
  url,
  apiKey: 'bench-key',
  sourceId: 'outage',
  batch: { maxPoints: 1000, lingerMs: 50 },
  retry: { initialDelayMs: 50, maxDelayMs: 200 },
  buffer: memoryCap === undefined ? { path: join(spoolArg, 'spool') } : { maxBytes: memoryCap },
  logger: pino({ level: 'silent' }),
  deadLetterPath: '/dev/null',
  registry,
  shutdownTimeoutMs: 1000,
});

let peakRss = 0;
let atPeak = {};
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss <= peakRss) return;
  peakRss = m.rss;
  atPeak = { heapMb: m.heapTotal / 1048576, externalMb: m.external / 1048576, arrayBuffersMb: m.arrayBuffers / 1048576 };
};
const sampler = setInterval(sample, 20);
const counter = async (name) => (await registry.getSingleMetric(name).get()).values.reduce((n, v) => n + v.value, 0);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const cpuSince = (start) => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};

let cpu = process.cpuUsage();
let start = performance.now();
for (let i = 0; i < N; i++) {
  sink.write(plantPoint(i));
  // A bridge's points arrive a message's or a poll's worth at a time.
  if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
}
// The batcher seals the last batch within its linger; then every point is held or dropped.
while (sink.status().spool.points + (await counter('fieldbridge_points_dropped_total')) < N) await new Promise((resolve) => setTimeout(resolve, 20));
sample();
const held = sink.status().spool;
say({
  phase: 'outage',
  ms: performance.now() - start,
  cpuUs: cpuSince(cpu),
  spooledPoints: held.points,
  spooledBytes: held.bytes,
  dropped: await counter('fieldbridge_points_dropped_total'),
  peakRssMb: peakRss / 1048576,
  atPeak,
});

await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
peakRss = 0;
cpu = process.cpuUsage();
start = performance.now();
await sink.flush({ timeoutMs: 3_600_000 });
sample();
say({ phase: 'drain', ms: performance.now() - start, points: held.points, sent: await counter('fieldbridge_points_sent_total'), cpuUs: cpuSince(cpu), peakRssMb: peakRss / 1048576, atPeak });
clearInterval(sampler);
await sink.close();
process.exit(0);
