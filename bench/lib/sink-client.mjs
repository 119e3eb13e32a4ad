// One sink-benchmark scenario in its own process, so its CPU is its own:
//   node sink-client.mjs SCENARIO URL POINTS [SHAPE]
// Prints {ms, cpuUs, peakRssMb} as the last line. Every scenario makes the same point objects and
// uses batches of 1000, two requests in flight and gzip level 1 (the sink's defaults). SHAPE
// `plant` sends the outage benchmark's points (lib/plant-points.mjs) instead of the default ones.
import { InfluxDB, Point as InfluxPoint } from '@influxdata/influxdb-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileExpression, createRule, createRuleSet, createSink } from '@fieldbridge/core';
import { pino } from 'pino';
import { sendIdeal } from './ideal-sender.mjs';
import { plantPoint } from './plant-points.mjs';

const [scenario, url, pointsArg, shape] = process.argv.slice(2);
const N = Number(pointsArg);
const BATCH = 1000;
const IN_FLIGHT = 2;
const KEY = 'bench-key';
const T0 = Date.now();
const benchPoint = (i) => ({ metric: `line${i % 10}.motor.rpm`, value: 1000 + (i % 500) / 7, timestamp: T0 + i, tags: { site: 'bench', line: `l${i % 10}` } });
const point = shape === 'plant' ? plantPoint : benchPoint;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const ideal = () => sendIdeal({ url, key: KEY, n: N, point, batch: BATCH, inFlight: IN_FLIGHT });

/**
 * The measured window: from the first point written to the last one acknowledged. A scenario
 * with setup and teardown of its own (opening a spool file, its checkpoint at close) marks the
 * window itself; they happen once per process, not per point. Others are timed whole.
 */
const measured = {
  cpu: undefined,
  start: undefined,
  result: undefined,
  begin() {
    this.cpu = process.cpuUsage();
    this.start = performance.now();
  },
  end() {
    const used = process.cpuUsage(this.cpu);
    this.result = { ms: performance.now() - this.start, cpuUs: used.user + used.system };
  },
};

async function sink(options, withRules = false) {
  const s = createSink({ url, apiKey: KEY, sourceId: 'bench', batch: { maxPoints: BATCH, lingerMs: 50 }, logger: pino({ level: 'silent' }), deadLetterPath: '/dev/null', ...options });
  // With rules, points go through a rule set as a bridge's do (written, then shown to the rules).
  const writer = withRules ? createRuleSet({ rules: TEN_RULES(), sink: s, sourceId: 'bench' }) : s;
  // Points arrive as a bridge's do: a message's or a poll's worth at a time, the event loop
  // turning in between (the ideal sender awaits once per batch too).
  measured.begin();
  for (let i = 0; i < N; i++) {
    writer.write(point(i));
    if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  await s.flush({ timeoutMs: 600_000 });
  measured.end();
  if (withRules) writer.stop();
  await s.close();
}

/**
 * Ten rules as a plant might load them: three read metrics of the stream (one of them through a
 * wildcard aggregate, so every point is evaluated), seven read metrics the stream never carries.
 */
const TEN_RULES = () =>
  [
    ['rpm_high', 'line1.motor.rpm > 5000', 30_000],
    ['rpm_spread', 'abs(line2.motor.rpm - line3.motor.rpm) > 400', 10_000],
    ['any_line_fast', 'max_of("line*.motor.rpm") > 5000', 0],
    ...Array.from({ length: 7 }, (_, i) => [`press${i}_hot`, `press${i}.oil.temperature > 80 && press${i}.pump.running == true`, 30_000]),
  ].map(([name, when, forMs]) => {
    const c = compileExpression(when);
    return createRule({ name, metrics: [...c.metrics, ...c.patterns], forMs, condition: when }, c.evaluate);
  });
const SECRET = 'bench-signing-secret-0123456789';

async function withSpool(durability) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-'));
  try {
    await sink({ buffer: { path: join(dir, 'spool'), durability } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function influx() {
  const origin = new URL(url).origin;
  const api = new InfluxDB({ url: origin, token: KEY }).getWriteApi('bench', 'bench', 'ms', { batchSize: BATCH, flushInterval: 50, maxBufferLines: N + BATCH, gzipThreshold: 1024 });
  for (let i = 0; i < N; i++) {
    const p = point(i);
    api.writePoint(new InfluxPoint(p.metric).tag('site', p.tags.site).tag('line', p.tags.line).floatField('value', p.value).timestamp(p.timestamp));
  }
  await api.close();
  // WriteApi.close() can resolve before its last requests are answered: wait until the receiver
  // has them all (gateway-dev counts points, the discard receiver requests).
  for (let i = 0; i < 60_000; i++) {
    const gw = await fetch(`${origin}/_dev/stats`).then((r) => (r.ok ? r.json() : undefined)).catch(() => undefined);
    if (typeof gw?.points === 'number' ? gw.points >= N : (await (await fetch(`${origin}/_stats`)).json()).requests >= Math.ceil(N / BATCH)) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('influx: the receiver never got every point');
}

const scenarios = {
  ideal,
  memory: () => sink({}),
  'memory-rules': () => sink({}, true),
  'memory-signed': () => sink({ signing: { secret: SECRET } }),
  'memory-rules-signed': () => sink({ signing: { secret: SECRET } }, true),
  sqlite: () => withSpool('process'),
  'sqlite-power': () => withSpool('power'),
  influx,
};

measured.begin();
await scenarios[scenario]();
if (measured.result === undefined) measured.end();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(`${JSON.stringify({ ...measured.result, peakRssMb: peakRss / 1024 / 1024 })}\n`);
process.exit(0);
