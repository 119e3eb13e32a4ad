// CAN logs read per second: bridge-can's readers (replayCandumpFile as fast as frames are taken,
// the frames not decoded) against python-can's readers (Debian's python3-can, the peer the tests
// check the formats against), on the same simulated drive written as candump -L and converted by
// python-can to Vector ASC, Vector BLF and PEAK TRC. Each reader reads each file whole, the
// readers taking turns round by round; python-can times its own reading (its start-up left out).
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { driveLogLines, replayCandumpFile } from '@fieldbridge/bridge-can';
import { fmt, median, writeReport } from './lib/report.mjs';

const exec = promisify(execFile);
const PEER = fileURLToPath(new URL('../packages/bridge-can/test/fixtures/peers/python-can-logs.py', import.meta.url));
/** The drive's length: about 331 frames a second of it. */
const DRIVE_MS = Number(process.env.BENCH_CAN_LOG_MS ?? 600_000);
const ROUNDS = Number(process.env.BENCH_CAN_LOG_ROUNDS ?? 3);
const FORMATS = [
  { ext: 'log', name: 'candump -L' },
  { ext: 'asc', name: 'Vector ASC' },
  { ext: 'blf', name: 'Vector BLF' },
  { ext: 'trc', name: 'PEAK TRC' },
];

async function writeDrive(path) {
  const out = createWriteStream(path);
  for (const line of driveLogLines({ durationMs: DRIVE_MS, startMs: 1_700_000_000_000, seed: 3 })) {
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

async function ours(path) {
  let frames = 0;
  const started = process.hrtime.bigint();
  await replayCandumpFile(path, { timeZone: 'UTC', onFrame: () => void frames++ });
  return { frames, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function pythonCan(path) {
  const { stdout } = await exec('/usr/bin/python3', [PEER, 'time', path], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'fb-can-logs-'));
  try {
    const log = join(dir, 'drive.log');
    await writeDrive(log);
    const others = FORMATS.filter((f) => f.ext !== 'log').map((f) => join(dir, `drive.${f.ext}`));
    await exec('/usr/bin/python3', [PEER, 'convert', log, ...others], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 20 });
    const results = FORMATS.map((f) => ({ ...f, path: join(dir, `drive.${f.ext}`), ours: [], theirs: [], frames: new Set() }));
    await ours(log); // warm up the JIT
    for (let r = 0; r < ROUNDS; r++) {
      for (const f of r % 2 === 0 ? results : [...results].reverse()) {
        const a = await ours(f.path);
        const b = await pythonCan(f.path);
        f.ours.push(a.frames / a.seconds);
        f.theirs.push(b.frames / b.seconds);
        f.frames.add(`${a.frames}/${b.frames}`);
      }
    }
    const rows = results.map((f) => {
      const [counts] = [...f.frames];
      const [a, b] = counts.split('/').map(Number);
      if (f.frames.size !== 1 || a !== b) throw new Error(`${f.name}: bridge-can and python-can read different frame counts: ${[...f.frames].join(', ')}`);
      return [f.name, fmt(statSync(f.path).size / 1024 / 1024, 1), fmt(a), fmt(median(f.ours)), fmt(median(f.theirs)), `${fmt(median(f.ours) / median(f.theirs), 2)}x`];
    });
    writeReport(
      'can-logs',
      'CAN logs: frames read per second, bridge-can against python-can',
      `A simulated drive of ${fmt(DRIVE_MS / 60_000, 1)} minutes (the example vehicle, about 331 frames a second) written as a candump -L log and converted by python-can to Vector ASC, BLF and PEAK TRC. Each file read whole, median of ${ROUNDS} rounds, the readers taking turns: bridge-can's replayCandumpFile (as fast as frames are taken, not decoded) and python-can's LogReader for the format (its own time, without the interpreter's start-up). Both read the same number of frames from every file.`,
      ['log', 'MiB', 'frames', 'bridge-can frames/s', 'python-can frames/s', 'bridge-can vs python-can'],
      rows,
      [
        'bridge-can streams every format (lines and BLF objects are bounded; a file is never held whole) and hands each frame to the bridge with its time on the epoch clock; python-can builds a Message object per frame.',
        'Numbers measured on a shared 2-core machine are provisional; the ratios are more stable than the rates.',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
