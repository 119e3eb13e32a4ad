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
        const demo = await startLiveDemo({ out, intervalMs, ...(rounds > 0 ? { rounds } : {}) });
        return {
          describe: `${typeof values.out === 'string' && values.out !== '-' ? `appending to ${values.out}` : 'writing to stdout'}, one round every ${intervalMs} ms`,
          close: () => demo.close(),
          ...(rounds > 0 ? { done: demo.done } : {}),
        };
      },
    },
    argv,
    io,
  );
}
