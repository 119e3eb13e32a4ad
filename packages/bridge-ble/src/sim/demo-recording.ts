import { Writable } from 'node:stream';
import { loadNoble } from '../adapter/load-noble.js';
import { createScanner } from '../adapter/scanner.js';
import { createRecordWriter } from '../record/record-writer.js';
import { createDemoFleet } from './demo-fleet.js';
import { SimulatedBindings } from './simulated-bindings.js';

/** Options of {@link recordDemoFleet}. */
export interface DemoRecordingOptions {
  /** Advert rounds (one advert per device each). Default 60. */
  rounds?: number;
  /** Time of the first round, ms since the epoch. Default 2026-01-01T00:00:00Z. */
  startMs?: number;
  /** Time between rounds, in ms; devices within a round are 137 ms apart. Default 2000. */
  intervalMs?: number;
}

/**
 * Records the demo fleet the way `--record` does: the simulated adapter advertises, noble and
 * the scanner hear it, the record writer writes NDJSON. Returns the file's text. Deterministic,
 * so the example replay file can be checked against it.
 */
export async function recordDemoFleet(options: DemoRecordingOptions = {}): Promise<string> {
  const rounds = options.rounds ?? 60;
  const startMs = options.startMs ?? Date.UTC(2026, 0, 1);
  const intervalMs = options.intervalMs ?? 2000;
  const devices = createDemoFleet();
  const sim = new SimulatedBindings({ devices });
  const loaded = await loadNoble({ bindings: sim });
  const chunks: string[] = [];
  const writer = createRecordWriter(new Writable({ write: (chunk: Buffer, _enc, done) => done(void chunks.push(chunk.toString())) }));
  let clock = startMs;
  let heard: (() => void) | undefined;
  const scanner = createScanner(loaded, {
    now: () => clock,
    onAdvert: (advert) => {
      writer.write(advert);
      heard?.();
    },
  });
  await scanner.start();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [i, device] of devices.entries()) {
        clock = startMs + round * intervalMs + i * 137;
        await new Promise<void>((resolve) => {
          heard = resolve;
          sim.advertise(device.address);
        });
      }
    }
  } finally {
    await scanner.stop();
    await writer.close();
  }
  return chunks.join('');
}
