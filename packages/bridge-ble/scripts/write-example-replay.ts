// Writes examples/ble/sensors.ndjson: two minutes of the demo fleet, recorded through noble on
// the simulated adapter exactly as `--record` records a real one. test/example-replay.test.ts
// fails when the committed file drifts from what this produces.
import { writeFileSync } from 'node:fs';
import { recordDemoFleet } from '../src/sim/demo-recording.js';

const target = new URL('../../../examples/ble/sensors.ndjson', import.meta.url);
writeFileSync(target, await recordDemoFleet());
process.stderr.write(`wrote ${target.pathname}\n`);
