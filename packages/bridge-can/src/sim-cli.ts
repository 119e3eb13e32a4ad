import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import { driveLogLines } from './simulator/drive.js';

const USAGE = `usage: bridge-can-sim [--duration SECONDS] [--seed N] [--start ISO-TIME] [--interface NAME] [--out FILE]

Writes a candump -L log of a drive of the example vehicle (packages/bridge-can/dbc/vehicle.dbc) to stdout
or FILE, then exits: replay it with the bridge (interface: file:FILE, see examples/can) or onto
a bus with canplayer -I FILE vcan0=can0. About 330 frames per simulated second.
  --duration   seconds of driving (default 60, at most 86400)
  --seed       noise seed (default 1)
  --start      time of the first frame (default 2023-11-14T22:13:20Z)
  --interface  interface name written in the log (default can0)
`;

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Checks the options: the drive's options and where to write, or a usage message. */
function parse(values: Record<string, string | boolean | undefined>): { durationMs: number; seed: number; startMs?: number; interface: string; out?: string } | string {
  const duration = Number(values.duration ?? '60');
  if (!(duration > 0 && duration <= 86_400)) return `--duration must be between 0 and 86400 seconds, got ${String(values.duration)}`;
  const seed = integerOption(values, 'seed', 1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (typeof seed === 'string') return seed;
  const startMs = typeof values.start === 'string' ? Date.parse(values.start) : undefined;
  if (startMs !== undefined && Number.isNaN(startMs)) return `--start must be a date and time such as 2024-05-01T08:00:00Z, got ${String(values.start)}`;
  const iface = typeof values.interface === 'string' ? values.interface : 'can0';
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(iface)) return `--interface must be an interface name, got ${iface}`;
  return { durationMs: Math.round(duration * 1000), seed, interface: iface, ...(startMs === undefined ? {} : { startMs }), ...(typeof values.out === 'string' ? { out: values.out } : {}) };
}

/** The `bridge-can-sim` command; resolves with the exit code once the log is written (or a signal stopped it). */
export function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-can-sim',
      usage: USAGE,
      options: { duration: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, interface: { type: 'string' }, out: { type: 'string' } },
      async start(values) {
        const options = parse(values);
        if (typeof options === 'string') return options;
        let out = io.stdout as Writable;
        if (options.out !== undefined) {
          try {
            out = (await open(options.out, 'w')).createWriteStream();
          } catch (err) {
            throw new Error(`cannot write ${options.out}: ${(err as Error).message}`);
          }
        }
        let frames = 0;
        let stopped = false;
        const done = (async () => {
          let batch = '';
          for (const line of driveLogLines(options)) {
            if (stopped) break;
            batch += `${line}\n`;
            frames += 1;
            if (batch.length > 64 * 1024) {
              await write(out, batch);
              batch = '';
            }
          }
          await write(out, batch);
          if (out !== io.stdout) {
            out.end();
            await once(out, 'finish');
          }
          return `wrote ${frames.toLocaleString('en-US')} frames${options.out === undefined ? '' : ` to ${options.out}`}`;
        })();
        return {
          describe: `writing a ${options.durationMs / 1000} s drive${options.out === undefined ? ' to stdout' : ` to ${options.out}`}`,
          done,
          async close() {
            stopped = true;
            await done.catch(() => undefined);
            return `stopped after ${frames.toLocaleString('en-US')} frames`;
          },
        };
      },
    },
    argv,
    io,
  );
}
