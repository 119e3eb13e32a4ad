// A bridge under observation: its built command run by node with --trace-gc (every collection's
// heap before and after, on stdout) and --heapsnapshot-signal=SIGUSR2 (a snapshot into `dir` on
// demand), its observe server on a free port, sampled through /metrics like a Prometheus scrape.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { repoPath, startReady } from './soak-process.mjs';
import { metricSum, parseMetrics } from './soak-stats.mjs';

const MiB = 1024 * 1024;
/** `[pid:0x..]   1234 ms: Mark-Compact 12.3 (15.0) -> 10.1 (14.5) MB, ... reason` (V8 11, Node 20). */
const GC_LINE = /\]\s+(\d+) ms: (Scavenge|Mark-Compact(?: \(reduce\))?|Minor Mark-Compact)\s+([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

/**
 * Starts `packages/<pkg>/bin.js -c config` with `env` and resolves once its observe server
 * listens (the mapping must say `observe: { listen: 127.0.0.1:0 }`).
 */
export async function startProbedBridge({ pkg, config, env = {}, dir, args = [] }) {
  const majors = [];
  const logs = [];
  const proc = startReady(process.execPath, ['--trace-gc', '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, repoPath(`packages/${pkg}/bin.js`), '-c', config, ...args], {
    ready: /"msg":"health and metrics on (http:\/\/[^/]+)\/metrics"/,
    stream: 'stderr',
    env,
    name: pkg,
    onLine(line, stream) {
      if (stream === 'stdout') {
        const m = GC_LINE.exec(line);
        if (m && m[2].startsWith('Mark-Compact')) majors.push({ ms: Number(m[1]), kind: m[2], beforeMb: Number(m[3]), afterMb: Number(m[5]), reason: /mu = [\d.]+\) (.*)$/.exec(line)?.[1] ?? '' });
      } else if (/"level":(40|50|60)/.test(line) && logs.length < 200) logs.push(line);
    },
  });
  const [, origin] = await proc.ready;
  let cpuOffset = 0;
  const scrape = async () => parseMetrics(await (await fetch(`${origin}/metrics`)).text());
  /** One sample: memory, heap per space, CPU (minus what snapshots took), counters. */
  const sample = async () => {
    const v = await scrape();
    const space = (s) => metricSum(v, 'nodejs_heap_space_size_used_bytes', `space="${s}"`) / MiB;
    return {
      rssMb: metricSum(v, 'process_resident_memory_bytes') / MiB,
      heapUsedMb: metricSum(v, 'nodejs_heap_size_used_bytes') / MiB,
      heapTotalMb: metricSum(v, 'nodejs_heap_size_total_bytes') / MiB,
      externalMb: metricSum(v, 'nodejs_external_memory_bytes') / MiB,
      oldMb: space('old'),
      newMb: space('new'),
      codeMb: space('code'),
      largeMb: space('large_object'),
      cpuS: metricSum(v, 'process_cpu_seconds_total') - cpuOffset,
      majorGcs: metricSum(v, 'nodejs_gc_duration_seconds_count', 'kind="major"') ?? 0,
      sent: metricSum(v, 'fieldbridge_points_sent_total') ?? 0,
      sourcePoints: metricSum(v, 'fieldbridge_source_points_total') ?? 0,
      dropped: metricSum(v, 'fieldbridge_points_dropped_total') ?? 0,
      spoolPoints: metricSum(v, 'fieldbridge_spool_points') ?? 0,
      spoolBytes: metricSum(v, 'fieldbridge_spool_bytes') ?? 0,
      handles: metricSum(v, 'nodejs_active_handles_total') ?? 0,
    };
  };
  return {
    pid: proc.child.pid,
    origin,
    sample,
    /** Major collections V8 reported so far (heap before/after, MB). */
    majors: () => [...majors],
    /** warn and error log lines (at most 200). */
    logs: () => [...logs],
    /**
     * Writes a heap snapshot (V8 collects garbage fully first) and resolves with its path; the
     * CPU it took is left out of later samples.
     */
    async snapshot() {
      const before = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
      const cpuBefore = metricSum(await scrape(), 'process_cpu_seconds_total');
      proc.child.kill('SIGUSR2');
      // The snapshot is written synchronously on the main thread: the next scrape answers after it.
      // The file appears when the writing starts; a scrape answered after that is answered after the writing ended.
      let file;
      const deadline = Date.now() + 120_000;
      while (!file) {
        // A scrape waiting longer than the observe server's 10 s request timeout is reset: ask again.
        await scrape().catch(() => undefined);
        file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.includes(f));
        if (file) break;
        if (Date.now() > deadline) throw new Error(`${pkg}: no heap snapshot in ${dir}`);
        // Polling a condition: the signal has not been handled yet.
        await delay(50);
      }
      let after;
      while (!after) after = await scrape().catch(() => undefined);
      cpuOffset += metricSum(after, 'process_cpu_seconds_total') - cpuBefore;
      return join(dir, file);
    },
    stop: () => proc.stop(),
    exited: proc.exited,
  };
}
