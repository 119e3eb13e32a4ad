// Writes the drive a candump log holds as an ASAM MDF4 file laid out as mf4-rs reads it (a data
// group per frame kind, plain channels, DT blocks): `node --import tsx mf4-drive.ts IN.log OUT.mf4`.
// bridge-can's test helper writes the file; the frames are read back from the log by bridge-can.
import { writeFileSync } from 'node:fs';
import type { CanFrame } from '../../packages/bridge-can/src/frames/can-frame.js';
import { replayCandumpFile } from '../../packages/bridge-can/src/frames/candump-replay.js';
import { canMf4 } from '../../packages/bridge-can/test/helpers/mf4-can.js';

const [input, output] = process.argv.slice(2) as [string, string];
const frames: CanFrame[] = [];
await replayCandumpFile(input, { onFrame: (f) => void frames.push({ ...f, interface: '1' }) });
const startMs = Math.floor(frames[0]?.timestampMs ?? 0);
writeFileSync(output, canMf4(frames, { startNs: BigInt(startMs) * 1_000_000n, layout: 'flat', groups: 'sorted' }));
