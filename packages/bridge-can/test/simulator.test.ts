import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCanDecoder, driveLogLines, parseDbc, replayCandump, simulateDrive, vehicleDatabase, VEHICLE_DBC, type CanFrame } from '../src/index.js';
import { main } from '../src/sim-cli.js';

const example = new URL('../dbc/vehicle.dbc', import.meta.url);

describe('the example vehicle', () => {
  it('ships the same DBC as dbc/vehicle.dbc, and it parses cleanly', () => {
    expect(VEHICLE_DBC).toBe(readFileSync(example, 'utf8'));
    const { database, problems } = parseDbc(VEHICLE_DBC);
    expect(problems).toEqual([]);
    const layouts = new Set(database.messages.flatMap((m) => m.signals.map((s) => `${s.byteOrder} ${s.signed ? 'signed' : 'unsigned'} ${s.valueType}`)));
    expect([...layouts].sort()).toEqual(['big_endian signed integer', 'big_endian unsigned integer', 'little_endian signed float32', 'little_endian signed integer', 'little_endian unsigned integer']);
    expect(database.messages.some((m) => m.extended)).toBe(true);
    expect(database.messages.some((m) => m.signals.some((s) => s.multiplexer))).toBe(true);
    expect(database.messages.some((m) => m.signals.some((s) => s.values))).toBe(true);
  });
});

describe('simulateDrive', () => {
  const frames = [...simulateDrive({ durationMs: 60_000 })];
  const decoder = createCanDecoder(vehicleDatabase());

  it('sends every message at its cycle time, in time order', () => {
    const counts = new Map<string, number>();
    for (const f of frames) counts.set(f.message.name, (counts.get(f.message.name) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ EngineData: 6000, SteeringAngle: 6000, WheelSpeeds: 3000, ImuData: 3000, Transmission: 1200, BatteryStatus: 600, VehicleDistance: 60 });
    expect(frames.every((f, i) => i === 0 || f.frame.timestampMs >= frames[i - 1]!.frame.timestampMs)).toBe(true);
  });

  it('encodes values that decode back within half a step of each signal', () => {
    let checked = 0;
    for (const { frame, message, values } of frames) {
      const decoded = decoder.decode(frame)!;
      expect(decoded.message).toBe(message);
      expect(decoded.problems).toEqual([]);
      expect(decoded.signals.map((s) => s.name).sort()).toEqual(Object.keys(values).sort());
      for (const s of decoded.signals) {
        const want = values[s.name]!;
        const close = s.signal.valueType === 'float32' ? Math.fround(s.value) === Math.fround(want) : Math.abs(s.value - want) <= Math.abs(s.signal.factor) / 2 + 1e-9;
        if (!close) expect({ signal: s.name, got: s.value }).toEqual({ signal: s.name, got: want });
        checked++;
      }
    }
    // 6000 x 6 + 6000 x 3 + 3000 x 4 + 3000 x 2 + 1200 x 4 + 200 x (4 + 3 + 4) + 60 x 2 signals.
    expect(checked).toBe(79_120);
  });

  it('drives plausibly: up to 70 km/h in D, a stop, some reversing, all three battery pages', () => {
    const decoded = frames.map((f) => decoder.decode(f.frame)!);
    const values = (signal: string) => decoded.flatMap((d) => d.signals.filter((s) => s.name === signal));
    const speeds = values('WheelSpeedFL').map((s) => s.value);
    expect(Math.max(...speeds)).toBeGreaterThan(65);
    expect(Math.max(...speeds)).toBeLessThan(72);
    expect(Math.min(...speeds)).toBe(0);
    expect(new Set(values('GearSelected').map((s) => s.text))).toEqual(new Set(['P', 'D', 'R']));
    expect(new Set(values('BatteryMux').map((s) => s.text))).toEqual(new Set(['Pack', 'Cells', 'Temperatures']));
    expect(values('EngineTorque').some((s) => s.value < 0)).toBe(true);
    const distance = values('TripDistance').map((s) => s.value);
    expect(distance.at(-1)).toBeGreaterThan(0.4);
  });

  it('is the same for the same seed and different for another', () => {
    const a = [...driveLogLines({ durationMs: 500, seed: 7 })];
    expect([...driveLogLines({ durationMs: 500, seed: 7 })]).toEqual(a);
    expect([...driveLogLines({ durationMs: 500, seed: 8 })]).not.toEqual(a);
  });

  it('writes a log the replay reads back frame for frame', async () => {
    const replayed: CanFrame[] = [];
    const stats = await replayCandump(driveLogLines({ durationMs: 2_000 }), { onFrame: (f) => void replayed.push(f) });
    const direct = [...simulateDrive({ durationMs: 2_000 })].map((s) => s.frame);
    expect(stats.malformed).toBe(0);
    expect(replayed).toEqual(direct);
  });
});

describe('bridge-can-sim', () => {
  const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const code = await main(args, { stdout, stderr });
    return { code, out, err };
  };

  it('writes a candump log to stdout or a file, and exits once it is written', async () => {
    const { code, out, err } = await run(['--duration', '0.1', '--start', '2024-05-01T08:00:00Z', '--interface', 'vcan0']);
    expect(code).toBe(0);
    expect(err).toBe('bridge-can-sim: writing a 0.1 s drive to stdout (Ctrl-C stops)\nbridge-can-sim: wrote 34 frames\n');
    const lines = out.trimEnd().split('\n');
    // 100 ms: engine and steering 10 frames each, wheels and IMU 5, gearbox 2, battery and odometer 1.
    expect(lines).toHaveLength(34);
    expect(lines[0]).toMatch(/^\(1714550400\.000000\) vcan0 0C8#[0-9A-F]{16}$/);
    const dir = await mkdtemp(join(tmpdir(), 'bridge-can-sim-'));
    try {
      expect((await run(['--duration', '1', '--out', join(dir, 'drive.log')])).code).toBe(0);
      expect((await readFile(join(dir, 'drive.log'), 'utf8')).split('\n')).toHaveLength(332);
      const unwritable = await run(['--out', join(dir, 'no', 'such', 'dir.log')]);
      expect(unwritable.code).toBe(1);
      expect(unwritable.err).toMatch(/cannot write/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad arguments with exit code 2 and says why', async () => {
    expect(await run(['--duration', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--duration must be between 0 and 86400') });
    expect(await run(['--start', 'yesterday'])).toMatchObject({ code: 2, err: expect.stringContaining('--start must be a date') });
    expect(await run(['--seed', '1.5'])).toMatchObject({ code: 2, err: expect.stringContaining('--seed 1.5: give a whole number') });
    expect(await run(['--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining('usage: bridge-can-sim') });
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('usage: bridge-can-sim') });
  });
});
