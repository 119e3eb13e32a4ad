import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { driveLogLines } from './simulator/drive.js';

const USAGE = `usage: bridge-can-sim [--duration SECONDS] [--seed N] [--start ISO-TIME] [--interface NAME] [--out FILE]

Writes a candump -L log of a drive of the example vehicle (examples/can/vehicle.dbc) to stdout
or FILE: replay it with the bridge (interface file:FILE) or onto a bus with
canplayer -I FILE vcan0=can0.
  --duration   seconds of driving (default 60, at most 86400)
  --seed       noise seed (default 1)
  --start      time of the first frame (default 2023-11-14T22:13:20Z)
  --interface  interface name written in the log (default can0)
`;

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** The `bridge-can-sim` command; returns the exit code. */
export async function main(argv: string[], stdout: Writable = process.stdout, stderr: Writable = process.stderr): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '60' },
        seed: { type: 'string', default: '1' },
        start: { type: 'string' },
        interface: { type: 'string', default: 'can0' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    stderr.write(`bridge-can-sim: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    stdout.write(USAGE);
    return 0;
  }
  const duration = Number(values.duration);
  const seed = Number(values.seed);
  const startMs = values.start === undefined ? undefined : Date.parse(values.start);
  const problem =
    !(duration > 0 && duration <= 86_400) ? `--duration must be between 0 and 86400 seconds, got ${values.duration}`
    : !Number.isSafeInteger(seed) ? `--seed must be an integer, got ${values.seed}`
    : startMs !== undefined && Number.isNaN(startMs) ? `--start must be a date and time such as 2024-05-01T08:00:00Z, got ${values.start}`
    : !/^[A-Za-z0-9_.:-]{1,15}$/.test(values.interface) ? `--interface must be an interface name, got ${values.interface}`
    : undefined;
  if (problem) {
    stderr.write(`bridge-can-sim: ${problem}\n`);
    return 2;
  }
  let out: Writable = stdout;
  if (values.out !== undefined) {
    try {
      out = (await open(values.out, 'w')).createWriteStream();
    } catch (err) {
      stderr.write(`bridge-can-sim: cannot write ${values.out}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const options = { durationMs: Math.round(duration * 1000), seed, interface: values.interface, ...(startMs === undefined ? {} : { startMs }) };
  let batch = '';
  for (const line of driveLogLines(options)) {
    batch += `${line}\n`;
    if (batch.length > 64 * 1024) {
      await write(out, batch);
      batch = '';
    }
  }
  await write(out, batch);
  if (out !== stdout) {
    out.end();
    await once(out, 'finish');
  }
  return 0;
}
