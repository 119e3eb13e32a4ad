// Points per second and CPU per point of the sending process, write() to acknowledged, for the
// sink and its peers. The ceiling is the ideal sender: JSON.stringify + gzip (level 1) + POST,
// batches of 1000, two requests in flight, nothing else. Two receivers, each its own process:
// a discard receiver (reads the body, answers 200: the cost of the sender shows) and gateway-dev
// (the realistic receiver). Each scenario runs in a fresh process; rounds shuffle the order.
import { runChild, shuffled, spread, startDiscardReceiver, startGatewayReceiver } from './lib/processes.mjs';
import { fmt, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_POINTS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KEY = 'bench-key';

const SCENARIOS = [
  ['ideal', 'ideal sender (stringify + gzip + POST)'],
  ['memory', 'fieldbridge sink, memory spool'],
  ['sqlite', 'fieldbridge sink, SQLite spool (durability: process)'],
  ['sqlite-power', 'fieldbridge sink, SQLite spool (durability: power)'],
  ['influx', '@influxdata/influxdb-client WriteApi (gzip)'],
];

async function measure(receiver, seed) {
  const runs = Object.fromEntries(SCENARIOS.map(([id]) => [id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [id] of shuffled(SCENARIOS, seed + round)) {
      await receiver.reset();
      const r = await runChild('./sink-client.mjs', [id, receiver.url, String(N)]);
      runs[id].push({ pps: N / (r.ms / 1000), cpu: r.cpuUs / N, rss: r.peakRssMb });
    }
  }
  return runs;
}

function rows(runs) {
  const ideal = spread(runs.ideal.map((r) => r.pps)).median;
  const idealCpu = spread(runs.ideal.map((r) => r.cpu)).median;
  const influx = spread(runs.influx.map((r) => r.pps)).median;
  return SCENARIOS.map(([id, name]) => {
    const pps = spread(runs[id].map((r) => r.pps));
    const cpu = spread(runs[id].map((r) => r.cpu));
    return [
      name,
      `${fmt(pps.median)} (${fmt(pps.min)}-${fmt(pps.max)})`,
      `${fmt(pps.median / ideal, 2)}x`,
      `${fmt(cpu.median, 2)} (${fmt(cpu.min, 2)}-${fmt(cpu.max, 2)})`,
      `${fmt(cpu.median / idealCpu, 2)}x`,
      `${fmt(pps.median / influx, 2)}x`,
    ];
  });
}

export async function run() {
  const discard = await startDiscardReceiver();
  let atDiscard;
  try {
    atDiscard = await measure(discard, 1);
  } finally {
    await discard.stop();
  }
  const gateway = await startGatewayReceiver(KEY);
  let atGateway;
  try {
    atGateway = await measure(gateway, 101);
  } finally {
    await gateway.stop();
  }
  const header = ['scenario', 'points/s median (min-max)', 'vs ideal sender', 'CPU µs/point median (min-max)', 'CPU vs ideal', 'vs influxdb-client'];
  const text = (title, runs) => [`### ${title}`, '', `| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows(runs).map((r) => `| ${r.join(' | ')} |`), ''].join('\n');
  writeReport(
    'sink-throughput',
    'Sink throughput: write() to acknowledged',
    [
      `${fmt(N)} numeric points with 2 tags per run, batches of 1000, two requests in flight, gzip level 1, ${ROUNDS} rounds in shuffled order, each run in a fresh process; CPU is the sending process's (user + system, threadpool included) per point.`,
      'Points arrive as a bridge\'s do, a batch\'s worth per turn of the event loop; the ideal sender awaits once per batch too.',
      '',
      text('At the discard receiver (the sender\'s cost shows)', atDiscard),
      text('At gateway-dev (the realistic receiver)', atGateway),
    ].join('\n'),
    ['goal', 'result'],
    [
      ['SQLite sink at least 0.75 of the ideal sender (discard receiver)', `${fmt(ratio(atDiscard, 'sqlite', 'ideal'), 2)}x`],
      ['SQLite sink CPU per point at most 1.5x the ideal sender\'s', `${fmt(cpuRatio(atDiscard, 'sqlite', 'ideal'), 2)}x`],
      ['SQLite sink at least 1.5x influxdb-client WriteApi (discard receiver)', `${fmt(ratio(atDiscard, 'sqlite', 'influx'), 2)}x`],
    ],
    [
      'The ideal sender validates nothing, keeps nothing, survives nothing; the SQLite rows are the only ones here that survive a crash (influxdb-client keeps its retry buffer in memory).',
      'The machine is a shared 2-core VM: compare within one run, not across runs.',
    ],
  );
}

const median = (runs, id, key) => spread(runs[id].map((r) => r[key])).median;
const ratio = (runs, a, b) => median(runs, a, 'pps') / median(runs, b, 'pps');
const cpuRatio = (runs, a, b) => median(runs, a, 'cpu') / median(runs, b, 'cpu');

if (import.meta.url === `file://${process.argv[1]}`) await run();
