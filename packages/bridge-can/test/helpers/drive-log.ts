import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { driveLogLines, type DriveOptions } from '../../src/simulator/drive.js';

/** The example vehicle's DBC (what the simulator encodes with), by absolute path. */
export const VEHICLE_DBC_PATH = fileURLToPath(new URL('../../dbc/vehicle.dbc', import.meta.url));

/** A candump log of a simulated drive in a fresh temporary folder, removed by `close()`. */
export interface DriveLog {
  path: string;
  dir: string;
  close(): Promise<void>;
}

/** Writes a drive of the example vehicle (see `simulateDrive`) as a `candump -L` log. */
export async function writeDriveLog(options: DriveOptions = {}, name = 'drive.log'): Promise<DriveLog> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-can-log-'));
  const path = join(dir, name);
  await writeFile(path, `${[...driveLogLines(options)].join('\n')}\n`);
  return { path, dir, close: () => rm(dir, { recursive: true, force: true }) };
}
