// Soak: does a bridge stay flat in memory and CPU over time? Each bridge's built command runs for
// SOAK_MINUTES (default 4) at a realistic-to-high rate into gateway-dev (its own process, counting
// only), its /metrics scraped every 10 s (RSS, V8 heap and its spaces, CPU seconds) and every
// major collection's heap after it read from --trace-gc. Slopes are least-squares fits of the
// samples after the warm-up (the first quarter). Then two heap snapshots (V8 collects all garbage
// first) SOAK_SNAPSHOT_GAP_S apart (default 120) say which objects, if any, pile up; they come
// after the measured minutes because writing one raises the RSS by tens of MiB for good. The
// outage run is bridge-modbus with a disk spool while gateway-dev is stopped from 1 min to 3 min
// and started again on the same port (5 min in all).
//   SOAK_ONLY=modbus,mqtt  SOAK_PARALLEL=2 (runs at once)  SOAK_DIR (scratch; default a temp dir)
//   SOAK_FROM=dir1,dir2: write the report from the result.json files of earlier runs' SOAK_DIRs
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { diffSummaries, summarizeSnapshot } from './lib/heap-diff.mjs';
import { fmt, writeReport } from './lib/report.mjs';
import { startProbedBridge } from './lib/soak-probe.mjs';
import { repoPath, startGateway } from './lib/soak-process.mjs';
import { scenarios } from './lib/soak-scenarios.mjs';
import { slope } from './lib/soak-stats.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 4);
const SAMPLE_MS = 10_000;
const SNAPSHOT_GAP_MS = Number(process.env.SOAK_SNAPSHOT_GAP_S ?? 120) * 1000;
const PARALLEL = Number(process.env.SOAK_PARALLEL ?? 1);
const KEY = 'soak-key';
/** The outage run: receiver down from DOWN_AT to UP_AT, samples until OUTAGE_END (ms). */
const DOWN_AT = 60_000;
const UP_AT = 180_000;
const OUTAGE_END = 300_000;

/** Runs one scenario; resolves with its samples, major collections, snapshot diff and notes. */
async function soak(name, root) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const durationMs = name === 'outage' ? OUTAGE_END : MINUTES * 60_000;
  let gateway = await startGateway(KEY);
  const gatewayPort = gateway.port;
  const setup = await scenarios[name](dir, { url: gateway.url, key: KEY });
  const bridge = await startProbedBridge({ pkg: setup.pkg, config: setup.config, env: setup.env, dir });
  const samples = [];
  const snapshots = [];
  const events = [];
  let receivedBefore = 0;
  try {
    const started = performance.now();
    for (let k = 0; ; k++) {
      const due = k * SAMPLE_MS;
      const wait = due - (performance.now() - started);
      // The next sample is due at a fixed time after the start.
      if (wait > 0) await delay(wait);
      const t = (performance.now() - started) / 1000;
      const s = await bridge.sample();
      s.t = t;
      s.received = gateway ? receivedBefore + (await gateway.points()) : undefined;
      s.receiverUp = Boolean(gateway);
      samples.push(s);
      if (due >= durationMs + SNAPSHOT_GAP_MS) break;
      if (due === durationMs) snapshots.push(await bridge.snapshot());
      if (name === 'outage' && due + SAMPLE_MS > DOWN_AT && gateway && due < UP_AT) {
        await delay(DOWN_AT - (performance.now() - started));
        receivedBefore += await gateway.points();
        await gateway.stop();
        gateway = undefined;
        events.push({ t: (performance.now() - started) / 1000, what: 'receiver stopped' });
      }
      if (name === 'outage' && !gateway && due + SAMPLE_MS > UP_AT) {
        await delay(UP_AT - (performance.now() - started));
        gateway = await startGateway(KEY, gatewayPort);
        events.push({ t: (performance.now() - started) / 1000, what: 'receiver started' });
      }
    }
    snapshots.push(await bridge.snapshot());
  } finally {
    const exit = await bridge.stop();
    events.push({ t: -1, what: `bridge exit ${exit.code ?? exit.signal}` });
    for (const peer of setup.peers) await peer.stop();
    await gateway?.stop();
  }
  const heap = snapshots.length === 2 ? diffSummaries(summarizeSnapshot(snapshots[0]), summarizeSnapshot(snapshots[1])) : undefined;
  const result = { name, pkg: setup.pkg, rate: setup.rate, durationMs, samples, majors: bridge.majors(), logs: bridge.logs(), snapshots, heap, events };
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 1));
  return result;
}

const MiB = 1024 * 1024;
/** MiB per hour of a field over the samples after the first snapshot. */
const perHour = (samples, field) => slope(samples.map((s) => s.t / 3600), samples.map((s) => s[field]));
const signed = (n, digits = 1) => (n === undefined ? '-' : `${n >= 0 ? '+' : ''}${fmt(n, digits)}`);

/** The heap after each major collection: all of them when few, else first, last and range. */
function afterMajors(majors) {
  const after = majors.map((m) => m.afterMb);
  if (after.length === 0) return 'none';
  if (after.length <= 5) return after.map((v) => fmt(v, 1)).join(', ');
  return `${after.length} GCs: ${fmt(after[0], 1)} first, ${fmt(after[after.length - 1], 1)} last (${fmt(Math.min(...after), 1)}-${fmt(Math.max(...after), 1)})`;
}

/** Warn and error log lines counted by their problem (or the start of their message), with one message of each. */
function logKinds(lines) {
  const kinds = new Map();
  for (const line of lines) {
    const entry = JSON.parse(line);
    const key = (entry.problem ?? entry.msg.slice(0, 40)).replace(/\.[^.]*\d+\./, '.*.');
    const kind = kinds.get(key) ?? { count: 0, msg: entry.msg };
    kind.count += 1;
    kinds.set(key, kind);
  }
  return [...kinds].map(([key, k]) => `${k.count} x ${key} ("${k.msg.slice(0, 160)}")`).join('; ');
}

/**
 * Whether what stays live rises: the heap after V8's own major collections from the first to the
 * last (more than 1 MB up, and the later snapshot holding more too), or only the snapshots when
 * V8 collected fewer than twice.
 */
function verdict(majors, heap) {
  const liveDelta = heap ? (heap.totalB - heap.totalA) / MiB : 0;
  if (majors.length < 2) return liveDelta > 1 ? `rises? (snapshots +${fmt(liveDelta, 2)} MiB)` : 'levels (snapshots)';
  const rise = majors[majors.length - 1].afterMb - majors[0].afterMb;
  return rise > 1 && liveDelta > 0 ? `RISES (+${fmt(rise, 1)} MB)` : 'levels';
}

/** The table row and the notes of one run. */
function summarize(r) {
  const measured = r.samples.filter((s) => s.t <= r.durationMs / 1000 + 1);
  const first = measured[0];
  const last = measured[measured.length - 1];
  const warm = Math.round(r.durationMs / 4 / 1000);
  const fit = measured.filter((s) => s.t >= warm - 1);
  const a = fit[0];
  const span = last.t - a.t;
  const cpu = ((last.cpuS - a.cpuS) / span) * 100;
  const pps = r.name === 'outage' ? (last.sourcePoints - first.sourcePoints) / (last.t - first.t) : (last.received - a.received) / span;
  const middle = a.t + span / 2;
  const firstHalf = fit.filter((s) => s.t <= middle);
  const secondHalf = fit.filter((s) => s.t > middle);
  const natural = r.majors.filter((m) => !m.reason.includes('heap profiler') && m.ms / 1000 > warm && m.ms <= r.durationMs);
  const liveA = r.heap ? r.heap.totalA / MiB : undefined;
  const liveB = r.heap ? r.heap.totalB / MiB : undefined;
  const liveSlope = r.heap ? (liveB - liveA) / (SNAPSHOT_GAP_MS / 3_600_000) : undefined;
  const row = [
    r.pkg + (r.name === 'outage' ? ' (outage, disk spool)' : ''),
    `${r.rate}; ${fmt(pps)} points/s`,
    `${fmt(last.t / 60, 1)} min`,
    `${fmt(first.rssMb, 1)} / ${fmt(a.rssMb, 1)} / ${fmt(last.rssMb, 1)}`,
    `${fmt(Math.max(...firstHalf.map((s) => s.rssMb)), 1)} / ${fmt(Math.max(...secondHalf.map((s) => s.rssMb)), 1)}`,
    signed(perHour(fit, 'rssMb')),
    `${signed(perHour(fit, 'heapUsedMb'))} (old ${signed(perHour(fit, 'oldMb'))})`,
    `${fmt(liveA, 2)} -> ${fmt(liveB, 2)} (${signed(liveSlope)}/h)`,
    afterMajors(natural),
    verdict(natural, r.heap),
    fmt(cpu, 1),
  ];
  const notes = [];
  const grew = r.heap?.grew.filter((g) => g.sizeDelta > 20_000).slice(0, 5) ?? [];
  if (grew.length) notes.push(`${r.pkg}${r.name === 'outage' ? ' (outage)' : ''}: grew most between the snapshots: ${grew.map((g) => `${g.key} ${signed(g.sizeDelta / 1024, 0)} KiB (${signed(g.countDelta, 0)} objects, now ${fmt(g.count)})`).join('; ')}.`);
  if (r.logs.length) notes.push(`${r.pkg}${r.name === 'outage' ? ' (outage)' : ''}: ${r.logs.length} warn/error log lines: ${logKinds(r.logs)}.`);
  const exit = r.events.find((e) => e.what.startsWith('bridge exit'));
  if (exit && exit.what !== 'bridge exit 0') notes.push(`${r.pkg}: ${exit.what} after SIGTERM.`);
  if (r.name === 'outage') {
    const down = r.samples.filter((s) => !s.receiverUp);
    const before = r.samples.filter((s) => s.t < DOWN_AT / 1000).pop();
    const after = measured.filter((s) => s.t > UP_AT / 1000);
    const drained = after.find((s) => s.spoolPoints === 0);
    const peak = measured.reduce((m, s) => (s.spoolPoints > m.spoolPoints ? s : m), measured[0]);
    notes.push(
      `Outage: receiver stopped at ${fmt(r.events[0].t)} s and started again at ${fmt(r.events[1].t)} s on the same port. RSS before ${fmt(before.rssMb, 1)} MiB, during ${fmt(Math.min(...down.map((s) => s.rssMb)), 1)}-${fmt(Math.max(...down.map((s) => s.rssMb)), 1)} MiB, after ${fmt(after[0].rssMb, 1)}-${fmt(Math.max(...after.map((s) => s.rssMb)), 1)} MiB (end ${fmt(last.rssMb, 1)}); V8 heap used before ${fmt(before.heapUsedMb, 1)}, at most ${fmt(Math.max(...down.map((s) => s.heapUsedMb)), 1)} during, end ${fmt(last.heapUsedMb, 1)} MiB. ` +
        `The spool held at most ${fmt(peak.spoolPoints)} points (${fmt(peak.spoolBytes / MiB, 1)} MiB); ${drained ? `empty again ${fmt(drained.t - UP_AT / 1000)} s after the restart (sample at ${fmt(drained.t)} s)` : 'NOT drained by the end'}; points dropped ${fmt(last.dropped)}; the source read ${fmt(last.sourcePoints - first.sourcePoints)} points and the receiver stored ${fmt(last.received)}.`,
    );
  }
  return { row, notes };
}

/** Every run's result.json under the given SOAK_DIRs, in the order of the dirs and scenarios. */
function earlierResults(dirs) {
  const results = [];
  for (const dir of dirs) {
    for (const name of Object.keys(scenarios)) {
      const file = join(dir, name, 'result.json');
      if (existsSync(file)) results.push(JSON.parse(readFileSync(file, 'utf8')));
    }
  }
  return results;
}

/** How to read the runs of 2026-12-03 (the ones in bench/results/soak.md): what the numbers showed when they were looked into. */
const READING = [
  'Reading (runs of 2026-12-03): no bridge leaks. What stays live after V8\'s own major collections moves by about 1 MB or less over 4-12 minutes and does not trend (modbus 17.4 -> 17.1 MB over 12 min, mqtt 26.3 -> 27.1 -> 26.3, opcua 43.7 -> 43.4, can 16.1 -> 15.6), and the two snapshots differ by less than 0.7 MiB, up or down. The objects new in the later snapshot are in flight, not piling up: the points of the batch being filled (`{metric, value, class, tags}` in the batcher\'s points array), prom-client\'s label objects rebuilt at each scrape, JIT code.',
  'RSS is a sawtooth, not a slope: it climbs to a plateau within a minute or two, drops 20-35 MiB when V8\'s memory reducer hands pages back (`Mark-Compact (reduce)` in --trace-gc), and climbs back to about the same plateau; the fitted MiB/h of a few minutes measure where in the sawtooth the run ended. The one plateau that crept is bridge-can over 12 minutes (105 MiB in the first two minutes, 109.5 at the end) while its heap after collections fell. A 30-minute run of it alone (`SOAK_ONLY=can SOAK_MINUTES=30`, 217 points/s, 6.3 % of a core) peaked at 111.3 MiB in its first half and 112.5 in its second, its heap after V8's 20 major collections level (15.6-16.2 MB) and its snapshots 18.89 -> 18.67 MiB: the rise slows as it goes (about +6.5 MiB in the first 12 minutes, +1.2 in the last 15), native memory settling rather than a leak; whether it stops entirely, only a run of hours would say.',
  'bridge-modbus: modbus-serial keeps the last 256 transactions per TCP connection (its MAX_TRANSACTIONS ring: finished entries are overwritten, never deleted), each holding its callback and, through it, the bridge\'s cleared per-request guard timer: about 520 Timeout objects with two connections, the same number in every snapshot. Bounded, not a leak. Its overrun warnings come in bursts hitting every device at once about once a minute: stalls of the shared machine (load average 3-7 on 2 cores during these runs), not of one device.',
  'bridge-opcua: with 1,000 items V8 ran a major collection about every 10 s for minutes (48 MB -> 43 MB live), at 2-3 % of a core in all. The one opcua.queue_overflow warning per run came 0.7 s after the first heap snapshot was written: writing it stalled the bridge for more than the 5 s its queues hold (queue_size 10 at 500 ms), outside the measured minutes.',
  'bridge-mavlink, 4 min run: between the scrapes around the first heap snapshot fieldbridge_source_points_total fell from 158,116 to 3,108 (its per-vehicle series removed and made again) while gateway-dev kept receiving. Outside the measured minutes; a 7 s SIGSTOP of the bridge did not do it again, so the cause is not known.',
];

/** Writes bench/results/soak.md from run results. */
function report(results, failures, rawAt) {
  const summaries = results.map(summarize);
  writeReport(
    'soak',
    'Soak: memory and CPU of each bridge over time',
    [
      `Each bridge's built command (\`node --trace-gc --heapsnapshot-signal=SIGUSR2 packages/bridge-<name>/bin.js\`) runs for the minutes in the duration column into gateway-dev (its own process, \`--count-only\`), several runs at a time on a machine shared with other work (each run's CPU is its bridge process's own CPU seconds). Its /metrics is scraped every ${SAMPLE_MS / 1000} s (prom-client's default metrics: RSS, V8 heap used and per space, CPU seconds). After those minutes come two heap snapshots (V8 collects all garbage first) ${SNAPSHOT_GAP_MS / 1000} s apart, the bridge still running at the same rate: writing a snapshot raises the RSS by tens of MiB for good, so none is taken while the RSS is measured.`,
      'Columns: RSS at the start / after the warm-up (the first quarter) / at the end (MiB); the highest RSS in the first and in the second half of the minutes after the warm-up (the plateau it climbs back to after V8 hands pages back); slopes are least-squares fits over the samples from the warm-up on, in MiB per hour (over minutes both are dominated by V8\'s sawtooth: garbage building up between major collections, and the memory reducer handing pages back; "old" is the old space alone); live heap is the two snapshots\' totals (reachable objects only, MiB) and that change per hour; then the heap (MB, all spaces) after each major collection V8 did by itself after the warm-up (--trace-gc: what stays live) and whether that rises (more than 1 MB from the first to the last, the later snapshot holding more too) or levels; CPU is % of one core after the warm-up.',
    ].join('\n'),
    ['bridge', 'rate', 'duration', 'RSS MiB start / warm / end', 'RSS peak MiB 1st / 2nd half', 'RSS MiB/h', 'heap used MiB/h', 'live heap MiB (snapshots)', 'heap after major GCs MB', 'live heap', 'CPU % core'],
    summaries.map((s) => s.row),
    [...summaries.flatMap((s) => s.notes), ...(process.env.SOAK_FROM ? READING : []), ...failures.map((f) => `FAILED ${f.split('\n')[0]}`), `Raw samples: ${rawAt} (<run>/result.json, not kept in the repository). Compare two snapshots with \`node bench/lib/heap-diff.mjs A.heapsnapshot B.heapsnapshot\`.`],
  );
}

export async function run() {
  if (process.env.SOAK_FROM) {
    const dirs = process.env.SOAK_FROM.split(',');
    report(earlierResults(dirs), [], dirs.join(', '));
    return;
  }
  const root = process.env.SOAK_DIR ?? mkdtempSync(join(tmpdir(), 'fb-soak-'));
  const only = process.env.SOAK_ONLY?.split(',');
  const names = Object.keys(scenarios).filter((n) => !only || only.includes(n));
  const results = new Map();
  const failures = [];
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      process.stderr.write(`soak: ${name} starts\n`);
      try {
        results.set(name, await soak(name, root));
        process.stderr.write(`soak: ${name} done\n`);
      } catch (err) {
        failures.push(`${name}: ${err.stack}`);
        process.stderr.write(`soak: ${name} failed: ${err.stack}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, names.length) }, worker));
  report(names.filter((n) => results.has(n)).map((n) => results.get(n)), failures, root);
  if (!process.env.SOAK_DIR && process.env.SOAK_KEEP !== '1') rmSync(root, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
