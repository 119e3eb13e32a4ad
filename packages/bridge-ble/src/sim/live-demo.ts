import type { Writable } from 'node:stream';
import { realTimers, type Timers } from '../_timers.js';
import { loadNoble } from '../adapter/load-noble.js';
import { createScanner } from '../adapter/scanner.js';
import { createRecordWriter } from '../record/record-writer.js';
import { createDemoFleet } from './demo-fleet.js';
import { runSimulatedRadio } from './radio.js';
import { SimulatedBindings } from './simulated-bindings.js';

/** Options of {@link startLiveDemo}. */
export interface LiveDemoOptions {
  /** Where the record lines go (standard output for `bridge-ble-sim | bridge-ble`, or a file). */
  out: Writable;
  /** Time between advert rounds (each sensor advertises once), in ms. Default 1000. */
  intervalMs?: number;
  /** Stop after this many rounds; default: run until `close()`. */
  rounds?: number;
  /** Timers of the radio. Default the process's, and not unref()ed: the demo keeps the process alive until closed. */
  timers?: Timers;
}

/** The process's timers, kept referenced: the radio is what a simulator process is there for. */
const keepAlive: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A running live demo. */
export interface LiveDemo {
  /** Resolves after the last round when `rounds` was given (never otherwise). */
  readonly done: Promise<void>;
  /** Adverts written so far. */
  readonly written: number;
  /** Stops the radio, the scan and the writer; resolves with a summary line. */
  close(): Promise<string>;
}

/**
 * The demo fleet on the air, live: the simulated adapter advertises every sensor each
 * `intervalMs`, noble hears it through the scanner, and each advert is written as one record
 * line, exactly as `bridge-ble --record` records a real adapter. What `bridge-ble-sim` runs.
 */
export async function startLiveDemo(options: LiveDemoOptions): Promise<LiveDemo> {
  const timers = options.timers ?? keepAlive;
  const sim = new SimulatedBindings({ devices: createDemoFleet() });
  const loaded = await loadNoble({ bindings: sim });
  const writer = createRecordWriter(options.out);
  let rounds = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const scanner = createScanner(loaded, { onAdvert: (advert) => void writer.write(advert), timers: realTimers });
  await scanner.start();
  const stopRadio = runSimulatedRadio(sim, {
    intervalMs: options.intervalMs ?? 1000,
    timers: {
      setTimeout: (fn, ms) =>
        timers.setTimeout(() => {
          if (options.rounds !== undefined && rounds >= options.rounds) return finish();
          rounds += 1;
          fn();
        }, ms),
      clearTimeout: (handle) => timers.clearTimeout(handle),
    },
  });
  let closing: Promise<string> | undefined;
  return {
    done,
    get written() {
      return writer.written;
    },
    close() {
      closing ??= (async () => {
        stopRadio();
        await scanner.stop();
        await writer.close();
        finish();
        return `wrote ${writer.written} adverts in ${rounds} rounds${writer.dropped > 0 ? ` (${writer.dropped} dropped: ${writer.error?.message ?? 'the reader was slow'})` : ''}`;
      })();
      return closing;
    },
  };
}
