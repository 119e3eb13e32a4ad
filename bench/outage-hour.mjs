// An hour of outage at 5,000 points/s (18 M plant points, written at an accelerated rate) into the
// default SQLite spool while the receiver answers 503, then the drain once it is back, against the
// ideal sender sending the same points (lib/ideal-sender.mjs). A second run fills the memory spool
// past its cap. The receiver is the discard receiver, its own process; so is each sender.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLimit } from './lib/memory-limit.mjs';
import { runChild, startDiscardReceiver } from './lib/processes.mjs';
import { fmt, writeReport } from './lib/report.mjs';

const N = Number(process.env.BENCH_OUTAGE_POINTS ?? 18_000_000);
const MEMORY_CAP = Number(process.env.BENCH_MEMORY_CAP ?? 256 * 1024 * 1024);
const MiB = 1024 * 1024;

/** V8's young generation capped at 2 x 4 MiB, as the container images run (the default grows to 2 x 16 MiB). */
const SMALL_YOUNG_GEN = ['--max-semi-space-size=4'];

/** Runs the outage client through both phases; `up()` is called between them. `limit`: a memory limit it runs under (lib/memory-limit.mjs). */
function outage(url, points, spool, up, nodeArgs = [], limit = undefined) {
  const args = [...nodeArgs, fileURLToPath(new URL('./lib/outage-client.mjs', import.meta.url)), url, String(points), spool];
  const [command, argv] = limit ? limit.wrap(process.execPath, args) : [process.execPath, args];
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const phases = {};
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', async (d) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop();
      for (const line of lines) {
        const report = JSON.parse(line);
        phases[report.phase] = report;
        if (report.phase === 'outage') {
          await up();
          child.stdin.write('go\n');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (code === 0 && phases.drain) resolve(phases);
      // Past a memory limit the kernel kills it: a result, not a failure of the benchmark.
      else if (limit && signal === 'SIGKILL') resolve({ ...phases, killed: true });
      else reject(new Error(`outage client exited ${code ?? signal}`));
    });
  });
}

export async function run() {
  const receiver = await startDiscardReceiver(['--down']);
  const dir = mkdtempSync(join(tmpdir(), 'fb-outage-'));
  const spoolOnce = async (spool, points, nodeArgs, limit) => {
    await receiver.mode(false);
    rmSync(join(dir, 'spool'), { recursive: true, force: true });
    return outage(receiver.url, points, spool, () => receiver.mode(true), nodeArgs, limit);
  };
  try {
    const sqlite = await spoolOnce(dir, N, []);
    const sqliteSmall = await spoolOnce(dir, N, SMALL_YOUNG_GEN);
    await receiver.mode(true);
    const ideal = await runChild('./sink-client.mjs', ['ideal', receiver.url, String(N), 'plant']);
    // Past the memory spool's cap by a fifth, at the size a point takes there.
    const bytesPerPoint = sqlite.outage.spooledBytes / sqlite.outage.spooledPoints;
    const memoryPoints = Math.ceil((1.2 * MEMORY_CAP) / bytesPerPoint);
    const memory = await spoolOnce(`memory:${MEMORY_CAP}`, memoryPoints, []);
    const memorySmall = await spoolOnce(`memory:${MEMORY_CAP}`, memoryPoints, SMALL_YOUNG_GEN);
    // As deployed with the limit operating.md gives: node's defaults, in a cgroup of max_bytes + 100 MiB.
    const limit = memoryLimit(MEMORY_CAP + 100 * MiB);
    let memoryLimited;
    try {
      memoryLimited = limit ? await spoolOnce(`memory:${MEMORY_CAP}`, memoryPoints, [], limit) : undefined;
    } finally {
      limit?.remove();
    }

    const idealPps = N / (ideal.ms / 1000);
    const drainPps = (r) => r.drain.points / (r.drain.ms / 1000);
    const peak = (r) => Math.max(r.outage.peakRssMb, r.drain.peakRssMb);
    const heap = (r) => `${fmt(r.outage.atPeak.heapMb)} / ${fmt(r.drain.atPeak.heapMb)}`;
    const row = (name, r) => r.killed ? [name, 'killed by the kernel at the memory limit', ...Array(5).fill('-')] : [
      name,
      `${fmt(r.outage.spooledPoints)} held (${fmt(r.outage.spooledBytes / MiB)} MiB, ${fmt(r.outage.spooledBytes / r.outage.spooledPoints, 1)} B/point), ${fmt(r.outage.dropped)} dropped; ${fmt(r.outage.ms / 1000)} s to write`,
      `${fmt(r.outage.peakRssMb)} / ${fmt(r.drain.peakRssMb)}`,
      heap(r),
      fmt(drainPps(r)),
      `${fmt(drainPps(r) / idealPps, 2)}x`,
      fmt(r.drain.cpuUs / r.drain.points, 2),
    ];
    const hours = (256 * MiB) / bytesPerPoint / 5000 / 3600;
    const capMb = MEMORY_CAP / MiB;
    writeReport(
      'outage-hour',
      'An hour of outage: spooled, then drained',
      [
        `${fmt(N)} points (an hour at 5,000 points/s: 50 series at 100 Hz, two tags, plant-like values), written as fast as the sink takes them while the receiver (the discard receiver, its own process) answers 503, then drained once it answers 200. Each sender is its own process: batches of 1000, two requests in flight, gzip level 1. The memory spool (cap ${fmt(capMb)} MiB) is written a fifth past its cap.`,
        `Rows marked "small young generation" run node with \`${SMALL_YOUNG_GEN.join(' ')}\`, as the container images do: at this write rate V8 otherwise grows its young generation to about 32 MiB of heap that it keeps (two semi-spaces of 16 MiB).`,
        'Columns: what the spool held after the outage; the sending process\'s peak RSS and its V8 heap at that peak, during the outage / the drain (MiB); drain rate, and against the ideal sender sending the same points; CPU µs per point during the drain.',
      ].join('\n'),
      ['sender', 'after the outage', 'peak RSS MiB', 'V8 heap MiB at the peak', 'drain points/s', 'vs ideal sender', 'drain CPU µs/point'],
      [
        ['ideal sender, the same points (stringify + gzip + POST)', '-', `- / ${fmt(ideal.peakRssMb)}`, '-', fmt(idealPps), '1.00x', fmt(ideal.cpuUs / N, 2)],
        row('SQLite spool (default cap 256 MiB)', sqlite),
        row('SQLite spool, small young generation', sqliteSmall),
        row(`memory spool (cap ${fmt(capMb)} MiB)`, memory),
        row('memory spool, small young generation', memorySmall),
        ...(memoryLimited ? [row(`memory spool, node's defaults, in a memory limit of ${fmt(capMb + 100)} MiB (a container's)`, memoryLimited)] : []),
      ],
      [
        `Goal: the hour fits the default spool, nothing dropped: ${sqlite.outage.dropped === 0 && sqlite.outage.spooledPoints === N ? 'yes' : 'NO'}; at ${fmt(bytesPerPoint, 1)} bytes a point the default cap holds ${fmt(hours, 1)} hours at 5,000 points/s.`,
        `Goal: peak RSS at most 150 MB, read as MiB like the spool's sizes (every memory figure here is MiB): ${fmt(peak(sqlite))} MiB (${fmt(peak(sqlite) * 1.048576)} decimal MB) with node's defaults, ${fmt(peak(sqliteSmall))} MiB (${fmt(peak(sqliteSmall) * 1.048576)} MB) with a small young generation.`,
        `Goal: drains at least 0.9 of the ideal sender: ${fmt(drainPps(sqlite) / idealPps, 2)}x (it sends the bodies the spool stored; the ideal sender makes its bodies as it goes).`,
        `Goal: the memory spool at its cap within max_bytes + 100 MB (${fmt(capMb + 100)} MiB; ${fmt(capMb + 100 / 1.048576)} MiB if the 100 is decimal): ${fmt(peak(memory))} MiB with node's defaults and no memory limit, ${fmt(peak(memorySmall))} MiB with a small young generation` +
          (memoryLimited
            ? memoryLimited.killed
              ? `; killed at a limit of ${fmt(capMb + 100)} MiB with node's defaults.`
              : `, ${fmt(peak(memoryLimited))} MiB with node's defaults under a memory limit of ${fmt(capMb + 100)} MiB (a container's --memory, or a Kubernetes limit): node reads the limit at start and sizes V8's heap from it, its young generation included, so the process stays within it by itself.`
            : '; the memory-limit row needs a writable cgroup memory controller, which this machine does not give.'),
        'A process that has only loaded @fieldbridge/core has an RSS of about 68 MiB on this machine (node itself about 39): a memory spool at its cap leaves about 30 MiB of the 100 for the heap, which V8\'s young generation alone takes at this write rate with node\'s defaults. Past its cap under drop_oldest, the drain\'s peak comes from garbage the old generation gathers between collections (V8 sizes it at a few times what is live), not from what the spool holds.',
      ],
    );
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
