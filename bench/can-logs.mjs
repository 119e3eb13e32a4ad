// CAN logs read per second: bridge-can's readers (replayCandumpFile as fast as frames are taken,
// the frames not decoded) against python-can's readers (Debian's python3-can, the peer the tests
// check the formats against), on the same simulated drive written as candump -L and converted by
// python-can to Vector ASC, Vector BLF and PEAK TRC; and against mf4-rs (the MDF4 reader the
// tests check against) on the drive written as ASAM MDF4. Each reader reads each file whole, the
// readers taking turns round by round; python-can times its own reading (its start-up left out).
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { driveLogLines, replayCandumpFile } from '@fieldbridge/bridge-can';
import { Mdf } from 'mf4-rs';
import { fmt, median, writeReport } from './lib/report.mjs';

const exec = promisify(execFile);
const PEER = fileURLToPath(new URL('../packages/bridge-can/test/fixtures/peers/python-can-logs.py', import.meta.url));
/** The drive's length: about 331 frames a second of it. */
const DRIVE_MS = Number(process.env.BENCH_CAN_LOG_MS ?? 600_000);
const ROUNDS = Number(process.env.BENCH_CAN_LOG_ROUNDS ?? 3);
const FORMATS = [
  { ext: 'log', name: 'candump -L', peer: 'python-can' },
  { ext: 'asc', name: 'Vector ASC', peer: 'python-can' },
  { ext: 'blf', name: 'Vector BLF', peer: 'python-can' },
  { ext: 'trc', name: 'PEAK TRC', peer: 'python-can' },
  { ext: 'mf4', name: 'ASAM MDF4', peer: 'mf4-rs' },
];
const MF4_CHANNELS = ['ID', 'IDE', 'DLC', 'DataLength', 'BusChannel', 'EDL', 'BRS', 'ESI', 'DataBytes'];

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

/** mf4-rs (wasm) reads the file and every channel of its data frames, with their times. */
function mf4rs(path) {
  const started = process.hrtime.bigint();
  const mdf = Mdf.fromBytes(readFileSync(path));
  let frames = 0;
  try {
    frames = mdf.read('CAN_DataFrame.ID', 'CAN_DataFrame').values.length;
    for (const name of MF4_CHANNELS.slice(1)) mdf.read(`CAN_DataFrame.${name}`, 'CAN_DataFrame');
  } finally {
    mdf.dispose();
  }
  return { frames, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'fb-can-logs-'));
  try {
    const log = join(dir, 'drive.log');
    await writeDrive(log);
    const converted = FORMATS.filter((f) => f.peer === 'python-can' && f.ext !== 'log').map((f) => join(dir, `drive.${f.ext}`));
    await exec('/usr/bin/python3', [PEER, 'convert', log, ...converted], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 20 });
    // MDF4 as mf4-rs reads it (a data group per frame kind, plain channels), written by bridge-can's test helper.
    await exec(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/mf4-drive.ts', import.meta.url)), log, join(dir, 'drive.mf4')], { maxBuffer: 1 << 20 });
    const results = FORMATS.map((f) => ({ ...f, path: join(dir, `drive.${f.ext}`), ours: [], theirs: [], frames: new Set() }));
    await ours(log); // warm up the JIT
    for (let r = 0; r < ROUNDS; r++) {
      for (const f of r % 2 === 0 ? results : [...results].reverse()) {
        const a = await ours(f.path);
        const b = f.peer === 'mf4-rs' ? mf4rs(f.path) : await pythonCan(f.path);
        f.ours.push(a.frames / a.seconds);
        f.theirs.push(b.frames / b.seconds);
        f.frames.add(`${a.frames}/${b.frames}`);
      }
    }
    const rows = results.map((f) => {
      const [counts] = [...f.frames];
      const [a, b] = counts.split('/').map(Number);
      if (f.frames.size !== 1 || a !== b) throw new Error(`${f.name}: bridge-can and ${f.peer} read different frame counts: ${[...f.frames].join(', ')}`);
      return [f.name, fmt(statSync(f.path).size / 1024 / 1024, 1), fmt(a), fmt(median(f.ours)), f.peer, fmt(median(f.theirs)), `${fmt(median(f.ours) / median(f.theirs), 2)}x`];
    });
    writeReport(
      'can-logs',
      'CAN logs: frames read per second, bridge-can against python-can and mf4-rs',
      `A simulated drive of ${fmt(DRIVE_MS / 60_000, 1)} minutes (the example vehicle, about 331 frames a second) written as a candump -L log and converted by python-can to Vector ASC, BLF and PEAK TRC, and by bridge-can's test helper to ASAM MDF4 (a data group per frame kind, plain channels, DT blocks: the layout mf4-rs reads). Each file read whole, median of ${ROUNDS} rounds, the readers taking turns: bridge-can's replayCandumpFile (as fast as frames are taken, not decoded); python-can's LogReader for the format (its own time, without the interpreter's start-up); mf4-rs ${'3.6.0'} (Rust compiled to wasm) parsing the file and reading every CAN_DataFrame channel with its times. Both read the same number of frames from every file.`,
      ['log', 'MiB', 'frames', 'bridge-can frames/s', 'peer', 'peer frames/s', 'bridge-can vs peer'],
      rows,
      [
        'bridge-can streams every format (lines, BLF objects and MDF data blocks are bounded; a file is never held whole) and hands each frame to the bridge with its time on the epoch clock; python-can builds a Message object per frame; mf4-rs reads the whole file into memory and gives each channel as an array.',
        'Numbers measured on a shared 2-core machine are provisional; the ratios are more stable than the rates.',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
