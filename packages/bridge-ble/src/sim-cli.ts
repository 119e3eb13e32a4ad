import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import { startLiveDemo } from './sim/live-demo.js';

const USAGE = `Usage: bridge-ble-sim [--out FILE] [--interval-ms 1000] [--rounds N]

A simulated Bluetooth adapter with a few sensors of different formats (BTHome, encrypted BTHome,
Ruuvi RAWv2, ATC1441, pvvx, iBeacon, and a GATT heart-rate strap whose adverts only are written).
Every interval each sensor advertises; the adverts are written as NDJSON record lines, the
format bridge-ble --record writes and ble: { replay: FILE } reads, on stdout (or appended to
FILE) until SIGINT or SIGTERM, or N rounds:

  bridge-ble-sim | BLE_REPLAY=- bridge-ble --config examples/ble/map.yaml
`;

/** The `bridge-ble-sim` command. Resolves with the exit code once stopped by a signal. */
export function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-ble-sim',
      usage: USAGE,
      options: { out: { type: 'string' }, 'interval-ms': { type: 'string' }, rounds: { type: 'string' } },
      async start(values) {
        const intervalMs = integerOption(values, 'interval-ms', 1000, 10, 3_600_000);
        if (typeof intervalMs === 'string') return intervalMs;
        const rounds = integerOption(values, 'rounds', 0, 0, 1_000_000_000);
        if (typeof rounds === 'string') return rounds;
        let out = io.stdout as Writable;
        if (typeof values.out === 'string' && values.out !== '-') {
          const file = createWriteStream(values.out, { flags: 'a' });
          await Promise.race([once(file, 'open'), once(file, 'error').then(([err]) => Promise.reject(err as Error))]);
          out = file;
        }
        // Standard output's reader gone (`| head`, or the bridge it fed exited): nothing left to do.
        let readerLeft = false;
        const left = out === io.stdout ? whenReaderGone(io.stdout).then(() => void (readerLeft = true)) : undefined;
        const demo = await startLiveDemo({ out, intervalMs, ...(rounds > 0 ? { rounds } : {}) });
        const done = rounds > 0 ? (left ? Promise.race([demo.done, left]) : demo.done) : left;
        return {
          describe: `${typeof values.out === 'string' && values.out !== '-' ? `appending to ${values.out}` : 'writing to stdout'}, one round every ${intervalMs} ms`,
          // Quietly, as `yes | head` ends: the reader took what it wanted.
          close: async () => {
            const summary = await demo.close();
            return readerLeft ? undefined : summary;
          },
          ...(done ? { done } : {}),
        };
      },
    },
    argv,
    io,
  );
}

/**
 * Resolves once the reader of `stream` goes away (a write fails with EPIPE); rejects with any other
 * write error, which ends the command with exit 1 and the reason.
 */
function whenReaderGone(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? resolve() : reject(err)));
  });
}
