import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { describe, expect, it } from 'vitest';
import { canBridge } from '../src/bridge.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';
import { runBridgeCommand } from '@fieldbridge/core/testing';

const track = trackCleanups();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cliFixture = fileURLToPath(new URL('./fixtures/cli.ts', import.meta.url));

/** The command, in this process (its `cli.ts` is this call); logs are silenced. */
const run = (args: string[]) => runBridgeCommand(canBridge, [...args, '--log-level', 'silent']);

async function mapping(body: string): Promise<string> {
  const dir = await track.tempDir('bridge-can-cli-');
  const file = join(dir, 'map.yaml');
  await writeFile(file, body);
  return file;
}

describe('bridge-can', () => {
  it('--check says what would be read, per message, and exits 0', async () => {
    const log = track.add(await writeDriveLog({ durationMs: 100 }), (l) => l.close());
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log.path}\n  dbc: ${VEHICLE_DBC_PATH}\n  messages: [EngineData, 'Wheel*']\n  signals: { exclude: [EngineState] }\n`);
    const { code, out } = await run(['--config', file, '--check']);
    expect(code).toBe(0);
    expect(out).toContain(`${file}: ok\n`);
    expect(out).toContain('  EngineData 0x0C8 every 10 ms: EngineSpeed, ThrottlePosition, CoolantTemp, EngineTorque, OilPressure\n');
    expect(out).toContain('  WheelSpeeds 0x1F0 every 20 ms: WheelSpeedFL, WheelSpeedFR, WheelSpeedRL, WheelSpeedRR\n');
    expect(out).toContain('reading 9 signals of 2 messages as {message}.{signal}');
  });

  it('--check lists each DBC problem with where it is and what it drops, and fails a mapping that names a signal a problem dropped', async () => {
    const dir = await track.tempDir('bridge-can-cli-');
    const dbc = join(dir, 'odd.dbc');
    // Byte order 2 does not exist: the parser skips the SG_ statement, so Odd and its VAL_ table are gone.
    await writeFile(
      dbc,
      ['VERSION ""', '', 'BU_: ECU1', '', 'BO_ 256 Mot: 8 ECU1', ' SG_ Even : 0|8@1+ (1,0) [0|255] "" ECU1', ' SG_ Odd : 51|7@2+ (1,0) [0|127] "" ECU1', '', 'VAL_ 256 Odd 85 "EightyFive" ;', ''].join('\n'),
    );
    const log = join(dir, 'bus.log');
    await writeFile(log, '(1700000000.000000) can0 100#0100000000000000\n');
    const all = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${dbc}\n`);
    const checked = await run(['--config', all, '--check']);
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toContain(`DBC ${dbc}: 1 message, 1 signal (2 problems, listed below); reading 1 signal of 1 message`);
    expect(checked.out).toContain(
      [
        '  DBC problems (a run reports them and goes on without what they drop):',
        `    ${dbc}:7:17: SG_: expected the byte order: 0 (big-endian, Motorola) or 1 (little-endian, Intel), found \`2\`; signal Odd of Mot was dropped`,
        `    ${dbc}:9:1: VAL_: signal Odd of message Mot is not defined; the statement was ignored`,
        '',
      ].join('\n'),
    );

    const named = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${dbc}\n  signals: [Even, Mot.Odd]\n`);
    const refused = await run(['--config', named, '--check']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      `${named}:5:19 can.signals[1]: "Mot.Odd" matches no signal of ${dbc}: a problem in the DBC text dropped it (${dbc}:7:17: SG_: expected the byte order: 0 (big-endian, Motorola) or 1 (little-endian, Intel), found \`2\`; signal Odd of Mot was dropped); fix the DBC file`,
    );
  });

  it('refuses a Vector ASC log without a date line read with its own times (--check and a run), saying what to add; --scan still reads it', async () => {
    const dir = await track.tempDir('bridge-can-cli-');
    const log = join(dir, 'drive.asc');
    const events = Array.from({ length: 1_996 }, (_, i) => `   ${(i / 100).toFixed(6)} 1  C8             Rx   d 8 1A 0C 00 3C 02 10 39 00`);
    await writeFile(log, ['base hex  timestamps absolute', 'Begin Triggerblock', ...events, 'End TriggerBlock', ''].join('\n'));
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const message = `the Vector ASC log ${log} has no date line before its first event (line 3): its frames have no time of day, so every one would be skipped and nothing of it would be sent; add the line the logging tool writes after the header, with the moment the log begins (date Tue Nov 14 10:13:20.000 pm 2023), or set replay.timestamps: replay to place the frames on the clock as they are played`;
    for (const args of [['--check'], ['--dry-run']]) {
      const { code, err } = await run(['--config', file, ...args]);
      expect(code, args[0]).toBe(2);
      expect(err).toContain(`${file}:3:14 can.interface: ${message}`);
    }
    const scanned = await run(['--config', file, '--scan']);
    expect(scanned.code, scanned.err).toBe(0);
    expect(scanned.out.split('\n')[0]).toMatch(/^1,996 frames from the Vector ASC log /);
    const replayed = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { timestamps: replay }\n`);
    expect((await run(['--config', replayed, '--check'])).code).toBe(0);
  });

  it('refuses a candump log stamped from its logger\'s start, not a date (every point would be refused as seconds), read with its own times; --scan and timestamps: replay read it', async () => {
    const dir = await track.tempDir('bridge-can-cli-');
    const log = join(dir, 'boot.log');
    await writeFile(log, ['(0000000012.000000) can0 0C8#1A0C003C02103900', '(0000000012.010000) can0 0C8#1A0C003C02103900', ''].join('\n'));
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const message = `the candump log ${log} stamps its first frame (line 1) 12.000000 s, before 2001: a time since its logger started, not a date, so every point would be refused as a time in seconds and nothing of it would be sent; set replay.timestamps: replay to place the frames on the clock as they are played`;
    for (const args of [['--check'], ['--dry-run']]) {
      const { code, err } = await run(['--config', file, ...args]);
      expect(code, args[0]).toBe(2);
      expect(err).toContain(`${file}:3:14 can.interface: ${message}`);
    }
    expect((await run(['--config', file, '--scan'])).code).toBe(0);
    const replayed = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { timestamps: replay }\n`);
    expect((await run(['--config', replayed, '--check'])).code).toBe(0);
  });

  it('--list-signals prints what the DBC defines and the metric each signal is sent as', async () => {
    const log = track.add(await writeDriveLog({ durationMs: 100 }), (l) => l.close());
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log.path}\n  dbc: ${VEHICLE_DBC_PATH}\n  metric: 'car.{signal}'\n  messages: [Transmission]\n`);
    const { code, out } = await run(['--config', file, '--list-signals']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe(`${VEHICLE_DBC_PATH}: 7 messages, 30 signals; the mapping reads 4`);
    expect(out).toMatch(/Transmission {2}0x2A0 \(672\) {2}8 bytes {2}every 50 ms {2}from TCU\n {2}GearSelected .*\n .*values: 0 = "P", 1 = "R", 2 = "N", 3 = "D", 15 = "Invalid"\n {2}.* -> car\.GearSelected\n/);
    expect(out).toMatch(/ {2}EngineSpeed .*\n {2}.*\(not read\)\n/);
  });

  it('--list-signals needs only the DBC: a log not recorded yet stops --check and a run, not it', async () => {
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:not-recorded-yet.log\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const listed = await run(['--config', file, '--list-signals']);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out.split('\n')[0]).toBe(`${VEHICLE_DBC_PATH}: 7 messages, 30 signals; the mapping reads 30`);
    for (const args of [['--check'], ['--dry-run']]) {
      const refused = await run(['--config', file, ...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.err).toContain(`${file}:3:14 can.interface: the log not-recorded-yet.log does not exist`);
    }
    // A DBC that cannot be read stops it too.
    const noDbc = await mapping(`source_id: cli\ncan:\n  interface: file:not-recorded-yet.log\n  dbc: ./missing.dbc\n`);
    const missing = await run(['--config', noDbc, '--list-signals']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('can.dbc');
    expect(missing.err).not.toContain('can.interface');
  });

  it('--dry-run prints the points as NDJSON on stdout and ends with the log', async () => {
    const log = track.add(await writeDriveLog({ durationMs: 100 }), (l) => l.close());
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log.path}\n  dbc: ${VEHICLE_DBC_PATH}\n  messages: [VehicleDistance]\n`);
    const { code, out } = await run(['--config', file, '--dry-run']);
    expect(code).toBe(0);
    const points = out.trim().split('\n').map((line) => JSON.parse(line) as { metric: string; tags?: Record<string, string>; source_id: string });
    expect(points.map((p) => p.metric)).toEqual(['VehicleDistance.TotalDistance', 'VehicleDistance.TripDistance']);
    expect(points[0]).toMatchObject({ source_id: 'cli', tags: { unit: 'km' }, class: 'metric', timestamp: 1_700_000_000_017 });
  });

  it('a log of which no line could be read ends the run with exit 1, not a success', async () => {
    const dir = await track.tempDir('bridge-can-cli-');
    const log = join(dir, 'garbage.log');
    await writeFile(log, 'not a frame\n(1700000000.000000) can0 nor this\n');
    const file = await mapping(`source_id: cli\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const { code, out } = await run(['--config', file, '--dry-run']);
    expect(code).toBe(1);
    expect(out).toBe('');
  });

  it('a wrong mapping prints file:line:col key: message and exits 2', async () => {
    const file = await mapping(`source_id: cli\ncan:\n  interface: vcan0\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const { code, err } = await run(['--config', file, '--check']);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:14 can\\.interface: expected socketcan:<interface>`));
  });

  it('as a process: delivers a capture to gateway-dev and exits 0 by itself at the end of the log', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const log = track.add(await writeDriveLog({ durationMs: 1000 }), (l) => l.close());
    const file = await mapping(`source_id: cli-process\nsink:\n  url: ${gw.url}\n  api_key: \${KEY}\n  batch: { linger_ms: 20 }\ncan:\n  interface: file:${log.path}\n  dbc: ${VEHICLE_DBC_PATH}\n  messages: [BatteryStatus]\n`);
    const child = spawn(process.execPath, ['--conditions', 'source', '--import', 'tsx', cliFixture, '--config', file], { cwd: packageDir, env: { ...process.env, KEY: 'k' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    // Ten BatteryStatus frames in the second, its three multiplexed pages in turn.
    const pages = gw.points({ metric: 'BatteryStatus.BatteryMux.text' }).map((p) => p.value);
    expect(pages).toEqual(['Pack', 'Cells', 'Temperatures', 'Pack', 'Cells', 'Temperatures', 'Pack', 'Cells', 'Temperatures', 'Pack']);
    expect(stderr).toMatch(/replayed to its end: 331 frames from 331 lines: stopping intake and delivering what is queued/);
  });
});
