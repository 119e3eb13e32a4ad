import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Point } from '@fieldbridge/core';
import { createTestContext, type trackCleanups } from '@fieldbridge/core/testing';
import { expect } from 'vitest';
import { canConfigSchema } from '../../src/config.js';
import type { CanFrame } from '../../src/frames/can-frame.js';
import { replayCandumpFile } from '../../src/frames/candump-replay.js';
import { createCanSource } from '../../src/source.js';
import { VEHICLE_DBC_PATH } from './drive-log.js';

const run = promisify(execFile);
const PEER = fileURLToPath(new URL('../fixtures/peers/python-can-logs.py', import.meta.url));

/** Runs the python-can peer (Debian's python3-can, in the system interpreter) with `TZ` set: see the script for its commands. */
export async function pythonCan(args: string[], tz: string): Promise<void> {
  await run('/usr/bin/python3', [PEER, ...args], { env: { ...process.env, TZ: tz } });
}

/** Every frame of a log file, read to its end, with the format it was read as and the records that gave no frame. */
export async function framesOf(path: string, options: { timeZone?: string } = {}): Promise<{ frames: CanFrame[]; format: string | undefined; bad: number }> {
  const frames: CanFrame[] = [];
  const stats = await replayCandumpFile(path, { ...options, onFrame: (f) => void frames.push(f) });
  return { frames, format: stats.format, bad: stats.malformed + stats.unsupported };
}

/** What a frame carries, without where it was logged (can0 in candump, channel 1 in a Vector log). */
export function frameContent(frame: CanFrame): Record<string, unknown> {
  return {
    // A Vector error frame names no error class; candump's carries one in its id.
    id: frame.error ? 'error' : frame.id,
    extended: frame.error ? 'error' : frame.extended,
    fd: frame.fd,
    brs: frame.brs ?? false,
    esi: frame.esi ?? false,
    rtr: frame.rtr ?? false,
    error: frame.error ?? false,
    data: frame.error ? 'error' : Buffer.from(frame.data).toString('hex'),
  };
}

/** The example vehicle's points from a log (`file:PATH`) replayed to its end by the CAN source, with the end's description and the problems it reported. */
export async function vehiclePoints(path: string, track: ReturnType<typeof trackCleanups>): Promise<{ ended: string | undefined; points: Point[]; said: string[] }> {
  const t = createTestContext({ bridge: 'can' });
  track.defer(() => t.abort.abort());
  const section = canConfigSchema.parse({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { time_zone: 'UTC' } });
  const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
  await bridge.start();
  const ended = await bridge.ended;
  return { ended, points: t.points, said: t.problems.flatMap((p) => (p.kind === 'report' && p.message !== undefined ? [p.message] : [])) };
}

/** The same points as `reference`, in order, their times within a microsecond (what both log writers print). */
export function expectSamePoints(points: Point[], reference: Point[]): void {
  const strip = (p: Point) => ({ metric: p.metric, value: p.value, tags: p.tags });
  expect(points.map(strip)).toEqual(reference.map(strip));
  points.forEach((p, i) => expect(Math.abs(Number(p.timestamp) - Number(reference[i]?.timestamp)), p.metric).toBeLessThanOrEqual(0.0011));
}
