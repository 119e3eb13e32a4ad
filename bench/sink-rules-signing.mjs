// What alert rules and signed batches cost the sink: points per second and CPU per point of the
// sending process, write() to acknowledged, with ten rules loaded, with signing on, and with
// both, each against the same sink without them in the same run (issue 19). The receiver is the
// discard receiver (it reads the body and answers 200), so the sender's cost shows. Each run is
// a fresh process; rounds shuffle the order. Then, in this process, the data path alone: what one
// point costs a rule set when no rule reads it, and when a rule reads and evaluates it.
import { compileExpression, createRule, createRuleSet } from '@fieldbridge/core';
import { runChild, shuffled, spread, startDiscardReceiver } from './lib/processes.mjs';
import { fmt, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_POINTS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const SCENARIOS = [
  ['memory', 'sink (memory spool), no rules, unsigned'],
  ['memory-rules', 'the same with ten rules loaded'],
  ['memory-signed', 'the same with signing on'],
  ['memory-rules-signed', 'the same with ten rules and signing'],
];

async function measure(receiver) {
  const runs = Object.fromEntries(SCENARIOS.map(([id]) => [id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [id] of shuffled(SCENARIOS, 19 + round)) {
      const r = await runChild('./sink-client.mjs', [id, receiver.url, String(N)]);
      runs[id].push({ pps: N / (r.ms / 1000), cpu: r.cpuUs / N });
    }
  }
  return runs;
}

/** ns per point through a rule set's write(), against the same loop writing to the sink alone. */
function dataPath() {
  const POINTS = 2_000_000;
  const sink = { write() {} };
  const rule = (name, when) => {
    const c = compileExpression(when);
    return createRule({ name, metrics: [...c.metrics, ...c.patterns], forMs: 60_000 }, c.evaluate);
  };
  const rules = () => [rule('read', 'line1.motor.rpm > 5000'), ...Array.from({ length: 9 }, (_, i) => rule(`other${i}`, `press${i}.oil.temperature > 80`))];
  const unread = Array.from({ length: 64 }, (_, i) => ({ metric: `cell${i}.current`, value: i, timestamp: 1_700_000_000_000 + i }));
  const read = Array.from({ length: 64 }, (_, i) => ({ metric: 'line1.motor.rpm', value: 1000 + i, timestamp: 1_700_000_000_000 + i }));
  const time = (writer, points) => {
    for (let i = 0; i < 200_000; i++) writer.write(points[i & 63]);
    const start = process.hrtime.bigint();
    for (let i = 0; i < POINTS; i++) writer.write(points[i & 63]);
    return Number(process.hrtime.bigint() - start) / POINTS;
  };
  const results = { none: [], unread: [], read: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.none.push(time(sink, unread));
    const a = createRuleSet({ rules: rules(), sink, sourceId: 'bench' });
    results.unread.push(time(a, unread));
    a.stop();
    const b = createRuleSet({ rules: rules(), sink, sourceId: 'bench' });
    results.read.push(time(b, read));
    b.stop();
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, spread(v).median]));
}

/**
 * ns per point through a rule reading `max_of("cell*.temp")` over `cells` metrics, each point one
 * cell's new value: the condition language's (its totals kept as points arrive) against a rule
 * walking every cell at each point (`view.matching`, as the language did before), in the same run.
 */
function aggregatePath(cells) {
  const sink = { write() {} };
  const kept = () => {
    const c = compileExpression('max_of("cell*.temp") > 80');
    return createRule({ name: 'kept', metrics: [...c.metrics, ...c.patterns], forMs: 60_000 }, c.evaluate);
  };
  const walked = () =>
    createRule({ name: 'walked', metrics: ['cell*.temp'], forMs: 60_000 }, (view) => {
      let max = -Infinity;
      view.matching('cell*.temp', (_metric, value) => {
        if (typeof value === 'number' && value > max) max = value;
      });
      return max > 80;
    });
  // Four values a cell, so each point changes the one it replaces.
  const points = Array.from({ length: 4 * cells }, (_, j) => ({ metric: `cell${j % cells}.temp`, value: 20 + ((j * 31) % 50), timestamp: 1_700_000_000_000 + j }));
  const time = (make, n) => {
    const set = createRuleSet({ rules: [make()], sink, sourceId: 'bench' });
    // Every cell once, then the measured points.
    for (let i = 0; i < cells; i++) set.write(points[i]);
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) set.write(points[i % points.length]);
    const ns = Number(process.hrtime.bigint() - start) / n;
    set.stop();
    return ns;
  };
  // A walk over ten thousand cells costs about a hundred microseconds: fewer points for it.
  const walkedPoints = Math.max(20_000, Math.round(2e8 / cells / 100));
  const results = { kept: [], walked: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.kept.push(time(kept, 500_000));
    results.walked.push(time(walked, Math.min(500_000, walkedPoints)));
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, spread(v).median]));
}

export async function run() {
  const discard = await startDiscardReceiver();
  let runs;
  try {
    runs = await measure(discard);
  } finally {
    await discard.stop();
  }
  const base = spread(runs.memory.map((r) => r.pps)).median;
  const baseCpu = spread(runs.memory.map((r) => r.cpu)).median;
  const rows = SCENARIOS.map(([id, name]) => {
    const pps = spread(runs[id].map((r) => r.pps));
    const cpu = spread(runs[id].map((r) => r.cpu));
    return [name, `${fmt(pps.median)} (${fmt(pps.min)}-${fmt(pps.max)})`, `${fmt(pps.median / base, 2)}x`, `${fmt(cpu.median, 2)} (${fmt(cpu.min, 2)}-${fmt(cpu.max, 2)})`, `${fmt(cpu.median / baseCpu, 2)}x`];
  });
  const path = dataPath();
  const aggregates = [100, 10_000].map((cells) => ({ cells, ...aggregatePath(cells) }));
  const many = aggregates.at(-1);
  const ratio = (id) => spread(runs[id].map((r) => r.pps)).median / base;
  writeReport(
    'sink-rules-signing',
    'Alert rules and signed batches: what they cost the sink',
    [
      `${fmt(N)} numeric points with 2 tags per run (10 metrics, line0..9.motor.rpm), batches of 1000, two requests in flight, gzip level 1, at the discard receiver; ${ROUNDS} rounds in shuffled order, each run in a fresh process; CPU is the sending process's (user + system) per point.`,
      'Ten rules: three read metrics of the stream (one through max_of("line*.motor.rpm"), so every point is evaluated by it), seven read metrics the stream never carries. Signing: HMAC-SHA256 over every request body as sent.',
      '',
      '| scenario | points/s median (min-max) | vs without | CPU µs/point median (min-max) | CPU vs without |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `The data path alone (in one process, ${ROUNDS} rounds, median): writing a point to a sink that does nothing costs ${fmt(path.none, 1)} ns; through a rule set of ten rules that do not read it ${fmt(path.unread, 1)} ns (one Map lookup); read and evaluated by one of them ${fmt(path.read, 1)} ns.`,
      '',
      'An aggregate over many metrics, each point one cell\'s new value, through a rule `max_of("cell*.temp") > 80` (its totals kept as points arrive) and through a rule that walks every cell at each point (`view.matching`, as the condition language did before), in the same run:',
      '',
      '| cells | ns per point, totals kept | ns per point, walking every cell | walking / kept |',
      '| --- | --- | --- | --- |',
      ...aggregates.map((a) => `| ${fmt(a.cells)} | ${fmt(a.kept, 1)} | ${fmt(a.walked, 1)} | ${fmt(a.walked / a.kept, 1)}x |`),
    ].join('\n'),
    ['goal', 'result'],
    [
      ['ten rules loaded: throughput vs the same sink without', `${fmt(ratio('memory-rules'), 2)}x`],
      ['signing on: throughput vs the same sink without', `${fmt(ratio('memory-signed'), 2)}x`],
      ['both: throughput vs the same sink without', `${fmt(ratio('memory-rules-signed'), 2)}x`],
      ['a point no rule reads: extra cost on the data path', `${fmt(path.unread - path.none, 1)} ns`],
      [`max_of over ${fmt(many.cells)} metrics: cost per point vs walking them`, `${fmt(many.kept / many.walked, 4)}x`],
    ],
    [
      'Throughput swings with whatever else the shared 2-core VM runs (see the ranges); CPU per point is the steadier measure. Compare within one run, not across runs.',
      'The ten rules are a hard case on purpose: the max_of rule reads every metric of the stream, so every point is evaluated; a plant whose rules read a few metrics pays the one lookup on the rest.',
      'Signing is one HMAC-SHA256 per request over its gzipped body (about 10 bytes a point), so it costs little per point.',
    ],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
