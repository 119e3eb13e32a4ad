// The whole CAN bridge, from a candump log to gateway-dev: the CPU it needs at a full
// 1 Mbit/s bus (9,000 frames a second, replayed at its recorded pace) and the frames a second it
// sustains when the log is replayed as fast as it goes, against a pipeline of the best npm DBC
// library (candied) into the same sink, in the same run. Each runs as its own process, as does
// the gateway, so that each one's CPU time is its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  canConfigSchema,
  decodeFrame,
  formatCandumpLine,
  loadDbcFilesSync,
  parseCandumpLine,
  planCan,
  resolveCanConfig,
} from '@fieldbridge/bridge-can';
import { startGatewayProcess } from './lib/gateway-process.mjs';
import { fmt, median, writeReport } from './lib/report.mjs';
import { seededRandom } from '@fieldbridge/core';

const RATE = 9_000;
const SECONDS = Number(process.env.BENCH_CAN_BRIDGE_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_CAN_BRIDGE_ROUNDS ?? 3);
const KEY = 'bench-key';
const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '../packages/bridge-can/bin.js');
const PEER = join(here, 'lib/can-candied-pipeline.mjs');
const WITH_CPU = join(here, 'lib/with-cpu.mjs');

/** opendbc's Tesla file next to the checkout (shared/fixtures/dbc) or in CAN_DBC_CORPUS. */
function findDbc() {
  const names = ['tesla_can.dbc'];
  const dirs = [process.env.CAN_DBC_CORPUS].filter(Boolean);
  for (let dir = here, i = 0; i < 5; i++, dir = dirname(dir)) dirs.push(join(dir, 'shared', 'fixtures', 'dbc'));
  for (const dir of dirs) for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

const seeded = seededRandom;

/** A log of `seconds` of a bus at `RATE` frames a second: messages of the DBC in turn at random, random payloads. */
function writeLog(path, database, seconds) {
  const random = seeded(9000);
  const messages = database.messages.filter((m) => m.length <= 8 && !m.extended);
  const lines = [];
  const count = Math.round(seconds * RATE);
  for (let i = 0; i < count; i++) {
    const m = messages[Math.floor(random() * messages.length)];
    const data = Uint8Array.from({ length: m.length }, () => Math.floor(random() * 256));
    lines.push(formatCandumpLine({ id: m.id, extended: false, fd: false, data, timestampMs: 1_700_000_000_000 + (i * 1000) / RATE, timestampSource: 'log' }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines;
}

function mapping(dir, log, dbc, gw, pace, extra) {
  const file = join(dir, `map-${pace}-${extra.length}.yaml`);
  writeFileSync(
    file,
    [
      'source_id: bench-can',
      'sink:',
      `  url: ${gw.url}`,
      `  api_key: ${KEY}`,
      '  batch: { max_points: 5000, linger_ms: 200 }',
      '  buffer: { when_full: block }',
      'can:',
      `  interface: file:${log}`,
      `  dbc: ${dbc}`,
      `  replay: { pace: ${pace} }`,
      ...extra.map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );
  return file;
}

/** Runs `args` under with-cpu.mjs in `cwd`; resolves with its CPU time, wall time and peak memory. */
async function measured(args, cwd) {
  const out = join(cwd, `cost-${Date.now()}-${Math.random()}.json`);
  const child = spawn(process.execPath, [WITH_CPU, out, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** Points a mapping gives for the log (no change filter), counted with the bridge's own plan. */
function expectedPoints(lines, dbc) {
  const resolved = resolveCanConfig(canConfigSchema.parse({ interface: 'socketcan:can0', dbc }));
  const loaded = loadDbcFilesSync([dbc]);
  const { plan } = planCan(loaded.database, resolved.config, loaded.problems);
  let n = 0;
  for (const line of lines) {
    const parsed = parseCandumpLine(line);
    if (parsed?.ok) n += decodeFrame(plan, parsed.frame, parsed.frame.timestampMs).points.length;
  }
  return n;
}

export async function run() {
  const dbc = findDbc();
  if (!dbc) {
    console.log('can-bridge: opendbc tesla_can.dbc not found next to the checkout (shared/fixtures/dbc) or in CAN_DBC_CORPUS; skipped');
    return undefined;
  }
  if (!existsSync(join(here, '../packages/bridge-can/dist/cli.js'))) throw new Error('build first: pnpm build');
  const dir = mkdtempSync(join(tmpdir(), 'bench-can-bridge-'));
  const gw = await startGatewayProcess(KEY, ['--count-only', '--no-page']);
  try {
    const { database } = loadDbcFilesSync([dbc]);
    const log = join(dir, 'bus.log');
    const lines = writeLog(log, database, SECONDS);
    const idle = join(dir, 'one.log');
    writeFileSync(idle, `${lines[0]}\n`);
    const expected = expectedPoints(lines, dbc);

    const every = [];
    const bare = ['signal_tags: []', 'value_text: off'];
    const limited = ['max_rate_hz: 10'];
    const subjects = [
      { name: 'bridge-can, every signal of every frame', args: (l, pace) => [BIN, '--config', mapping(dir, l, dbc, gw, pace, every), '--log-level', 'warn'], expected },
      { name: 'bridge-can, every signal, bare numbers like the peer (signal_tags: [], value_text: off)', args: (l, pace) => [BIN, '--config', mapping(dir, l, dbc, gw, pace, bare), '--log-level', 'warn'] },
      { name: 'bridge-can, max_rate_hz: 10 per signal', args: (l, pace) => [BIN, '--config', mapping(dir, l, dbc, gw, pace, limited), '--log-level', 'warn'] },
      { name: 'peer: candied + the same sink, every signal', args: (l, pace) => [PEER, l, dbc, gw.url, KEY, pace] },
    ];
    const rows = [];
    for (const s of subjects) {
      // The fixed cost of a run (start, DBC, sink, shutdown), measured on a one-frame log and taken off.
      const base = await measured(s.args(idle, 'fast'), dir);
      const recorded = [];
      const fast = [];
      let delivered;
      for (let r = 0; r < ROUNDS; r++) {
        await gw.reset();
        const paced = await measured(s.args(log, 'recorded'), dir);
        delivered = (await gw.stats()).points;
        if (s.expected !== undefined && delivered !== s.expected) throw new Error(`${s.name}: ${delivered} points delivered, ${s.expected} expected`);
        recorded.push({ share: (paced.cpuUs - base.cpuUs) / 1e6 / SECONDS, rss: paced.maxRssKiB });
        const quick = await measured(s.args(log, 'fast'), dir);
        fast.push(lines.length / ((quick.wallMs - base.wallMs) / 1000));
      }
      rows.push({ name: s.name, share: median(recorded.map((x) => x.share)), rssMiB: Math.max(...recorded.map((x) => x.rss)) / 1024, fast: median(fast), delivered });
    }
    const peer = rows[3];
    writeReport(
      'can-bridge',
      'CAN bridge: a 1 Mbit/s bus from log replay to gateway-dev',
      `A candump log of ${fmt(lines.length)} frames, ${SECONDS} s of a full 1 Mbit/s bus (${fmt(RATE)} classic frames a second), messages of opendbc's tesla_can.dbc at random with random payloads, replayed by the bridge-can command (\`interface: file:\`, one process) into gateway-dev (another process, --count-only). "CPU at 9,000 frames/s" replays the log at its recorded pace: the CPU time of the bridge's process over the ${SECONDS} s, less that of the same command on a one-frame log (start, DBC, sink, shutdown), as a share of one core. "As fast as it goes" replays it with \`pace: fast\` (flow control: the spool blocks when full): frames over the wall time, less the one-frame run's. Median of ${ROUNDS} rounds. The peer replays the same log at the same pace and decodes it with candied (bench/can-decode.mjs: the best npm DBC library), writing every signal to the same sink.`,
      ['pipeline', 'points delivered', 'CPU at 9,000 frames/s (share of one core)', 'vs peer', 'as fast as it goes (frames/s)', 'vs peer', 'peak memory (MiB)'],
      rows.map((r) => [r.name, fmt(r.delivered), `${fmt(r.share * 100, 1)} %`, `${fmt(r.share / peer.share, 2)}x`, fmt(r.fast), `${fmt(r.fast / peer.fast, 2)}x`, fmt(r.rssMiB)]),
      [
        `Every run of bridge-can with every signal delivered exactly the ${fmt(expected)} points its own decoder gives for the log (checked against gateway-dev's count); candied decodes ${fmt(peer.delivered)} values (bench/can-decode.mjs counts how many of them are wrong).`,
        'By default bridge-can sends each point with its unit tag, and value-table text as events beside the numbers; the peer sends bare numbers, as the second row does. With every signal of a full bus (about 135,000 points a second) the sink and gateway-dev, on the same two cores, bound how fast a replay goes, not decoding; the peak memory is the sink\'s in-memory spool holding what the gateway has not yet taken.',
        'With max_rate_hz: 10 the bridge holds back what exceeds ten points a second per signal (on the log\'s clock), which is what keeps a busy bus within an ingest service\'s rate limits.',
        'Measured on a shared 2-core machine while other work ran: provisional; the ratios are steadier than the absolute numbers.',
      ],
    );
    return rows;
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
