import { execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createBusSurvey } from '../src/bus-survey.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { driveLogLines } from '../src/simulator/drive.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The command from the sources (through tsx), for a test that signals it. */
const CLI_FIXTURE = { bin: '--conditions', args: ['source', '--import', 'tsx', fileURLToPath(new URL('./fixtures/cli.ts', import.meta.url))] };
const track = trackCleanups();

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

// Two buses in one log: EngineData (0x0C8) three times 10 ms apart and SteeringAngle (0x025) on
// can0, an id no DBC defines (0x123, once with data, once remote) on can1, a J1939 BAM
// announcement, an error frame and a line that is not a frame.
const LOG = [
  '(1700000000.000000) can0 0C8#0000000000000000',
  '(1700000000.005000) can1 123#0102',
  '(1700000000.010000) can0 0C8#0000000000000000',
  '(1700000000.012000) can0 025#00000000000000',
  '(1700000000.015000) can1 123#R',
  '(1700000000.020000) can0 0C8#0000000000000000',
  '(1700000000.025000) can0 18ECFF81#20140003FFECFE00',
  '(1700000000.030000) can0 20000080#0000000000000000',
  '(1700000000.030000) can0 18FECA00#44FF6E000005FFFF',
  'not a frame',
].join('\n');

async function mapping(extra = ''): Promise<string> {
  const dir = await track.tempDir('bridge-can-scan-');
  await writeFile(join(dir, 'bus.log'), `${LOG}\n`);
  const file = join(dir, 'map.yaml');
  await writeFile(file, `source_id: scan\nsink: { url: stdout }\ncan:\n  interface: file:${join(dir, 'bus.log')}\n  dbc: ${VEHICLE_DBC_PATH}\n${extra}`);
  return file;
}

describe('bridge-can --scan', () => {
  it('lists every id of every channel of a log with the DBC message it is and whether the mapping reads it', async () => {
    const file = await mapping('  messages: [SteeringAngle]\n');
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    const path = join(file, '..', 'bus.log');
    expect(result.stdout.split('\n')).toEqual([
      `9 frames from the candump log ${path}, 30ms of traffic; 1 line that is not a frame skipped`,
      '',
      'id          channel  frames  rate   bytes     message                           mapping',
      '0x025       can0     1       -      7         SteeringAngle                     read',
      '0x0C8       can0     3       100/s  8         EngineData                        left out',
      '0x123       can1     2       100/s  2 remote  (no DBC entry)                    unknown',
      '0x18ECFF81  can0     1       -      8         J1939 transport TP.CM from 129    transport',
      '0x18FECA00  can0     1       -      8         J1939 DM1 (trouble codes) from 0  off (j1939_dm1)',
      '',
      '5 ids: 2 defined in the DBC files (50% of the frames), 1 of them read by this mapping; 1 with no DBC entry (25% of the frames).',
      'J1939 transport frames (1) carry messages longer than a frame; the bridge reassembles those of the PGNs it reads.',
      "DM1 frames carry the ECUs' active trouble codes: j1939_dm1: true reads them (lamps, fault count, an event per fault).",
      'several channels: can0 (7 frames), can1 (2 frames); replay.channel reads one of them (one mapping file per bus, each with its DBC files).',
      '1 error frames: check the wiring, termination and bit rate.',
      '',
    ]);
  });

  it('says when the DBC files define none of the ids, pointing at j1939: true for extended ids read by exact id', async () => {
    const dir = await track.tempDir('bridge-can-scan-');
    await writeFile(join(dir, 'truck.log'), '(1700000000.000000) can0 0CF00400#FFFFFF6812FFFFFF\n(1700000000.010000) can0 0CF00400#FFFFFF7012FFFFFF\n');
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: scan\nsink: { url: stdout }\ncan:\n  interface: file:${join(dir, 'truck.log')}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('none of these ids is defined in the DBC files: check that they describe this bus (a J1939 network whose DBC does not say ProtocolType "J1939" matches by PGN with j1939: true).');
  });

  it('names the message an unknown id shares its PGN with, when the DBC reads that message at its exact id only', async () => {
    const dir = await track.tempDir('bridge-can-scan-');
    const file = join(dir, 'map.yaml');
    const fixture = 'test/fixtures/decode/j1939-exact-ids';
    await writeFile(file, `source_id: scan\nsink: { url: stdout }\ncan:\n  interface: file:${fixture}/frames.log\n  dbc: ${fixture}/case.dbc\n`);
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^0x0CF004FE\s+1\s+-\s+8\s+EEC1\s+read$/m);
    expect(result.stdout).toMatch(/^0x0CF00400\s+1\s+-\s+8\s+\(no DBC entry; PGN of EEC1: j1939: true\)\s+unknown$/m);
    expect(result.stdout).toMatch(/^0x18FEF100\s+1\s+-\s+8\s+\(no DBC entry\)\s+unknown$/m);
  });

  it('counts J1939 DM1 ids read by j1939_dm1 as the bridge\'s built-in decoding, not as defined in the DBC files', async () => {
    const dir = await track.tempDir('bridge-can-scan-');
    // A DBC with one J1939 message (EEC1, PGN 0xF004) and no DM1.
    await writeFile(
      join(dir, 'j1939.dbc'),
      'VERSION ""\n\nBU_: Engine\n\nBO_ 2364540158 EEC1: 8 Engine\n SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm" Vector__XXX\n\nBA_DEF_  "ProtocolType" STRING ;\nBA_DEF_DEF_  "ProtocolType" "";\nBA_ "ProtocolType" "J1939";\n',
    );
    await writeFile(
      join(dir, 'truck.log'),
      ['(1700000000.000000) can0 0CF00400#FFFFFF6812FFFFFF', '(1700000000.010000) can0 0CF00400#FFFFFF7012FFFFFF', '(1700000000.020000) can0 18FECA00#44FF6E000005FFFF', '(1700000000.030000) can0 18FECA01#00FF000000000000'].join('\n') + '\n',
    );
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: scan\nsink: { url: stdout }\ncan:\n  interface: file:${join(dir, 'truck.log')}\n  dbc: ${join(dir, 'j1939.dbc')}\n  j1939_dm1: true\n`);
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('0x18FECA'))).toEqual([
      '0x18FECA00  1       -      8      J1939 DM1 (trouble codes) from 0  read (built-in DM1)',
      '0x18FECA01  1       -      8      J1939 DM1 (trouble codes) from 1  read (built-in DM1)',
    ]);
    expect(lines).toContain(
      "3 ids: 1 defined in the DBC files (50% of the frames), 1 of them read by this mapping; 2 J1939 DM1 ids read by the bridge's built-in DM1 decoding, not the DBC (j1939_dm1: true; 50% of the frames); 0 with no DBC entry (0% of the frames).",
    );
  });

  it('prints the list so far when Ctrl-C ends the reading of a log early', async () => {
    // A folder of two logs: 10 s of the drive (3,310 frames), then 300 s (99,300), replayed at the
    // recorded pace by a run. SIGINT comes once the second log is being read.
    const dir = await track.tempDir('bridge-can-scan-');
    const logs = join(dir, 'logs');
    await mkdir(logs);
    await writeFile(join(logs, 'a.log'), `${[...driveLogLines({ durationMs: 10_000 })].join('\n')}\n`);
    await writeFile(join(logs, 'b.log'), `${[...driveLogLines({ durationMs: 300_000, startMs: 1_700_000_020_000 })].join('\n')}\n`);
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: scan\ncan:\n  interface: file:${logs}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { pace: recorded }\n`);
    const child = spawn(process.execPath, [CLI_FIXTURE.bin, ...CLI_FIXTURE.args, '--config', file, '--scan', '--log-level', 'debug'], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('b.log (2 of 2)')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const heading = /^([\d,]+) frames from the 2 logs of .*, read until Ctrl-C \(stopped early\)$/.exec(stdout.split('\n')[0] ?? '');
    expect(heading, stdout).not.toBeNull();
    const frames = Number(heading![1]!.replaceAll(',', ''));
    expect(frames).toBeGreaterThanOrEqual(3_310);
    expect(frames).toBeLessThan(3_310 + 99_300);
    expect(stdout).toMatch(/^0x0C8 +[\d,]+ +100\/s +8 +EngineData +read$/m);
  });

  it('lists only the channel replay.channel names, as a run reads it, and counts the frames of the others', async () => {
    const file = await mapping('  replay: { channel: can1 }\n');
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    const path = join(file, '..', 'bus.log');
    expect(result.stdout.split('\n')).toEqual([
      `2 frames of channel can1 from the candump log ${path}, 10ms of traffic; 1 line that is not a frame skipped`,
      '',
      'id     frames  rate   bytes     message         mapping',
      '0x123  2       100/s  2 remote  (no DBC entry)  unknown',
      '',
      '1 ids: 0 defined in the DBC files (0% of the frames), 0 of them read by this mapping; 1 with no DBC entry (100% of the frames).',
      'none of these ids is defined in the DBC files: check that they describe this bus.',
      'only channel can1 is read (replay.channel), as a run reads it: 7 frames of other channels (can0) left out; without replay.channel --scan lists them.',
      '',
    ]);
  });

  it('reads the channel number of a Vector ASC log given as a number, over every log of a folder, and names the channels of a log when none is on it', async () => {
    const dir = await track.tempDir('bridge-can-scan-');
    const logs = join(dir, 'logs');
    await mkdir(logs);
    const asc = (lines: string[]): string => ['date Wed Nov 15 02:13:20.125 pm 2023', 'base hex  timestamps absolute', 'Begin Triggerblock Wed Nov 15 02:13:20.125 pm 2023', ...lines, 'End TriggerBlock', ''].join('\n');
    // Channel 1 carries EngineData (0x0C8), channel 2 WheelSpeeds (0x1F0).
    await writeFile(join(logs, 'a.asc'), asc(['   0.010000 1  C8   Rx   d 8 00 00 00 00 00 00 00 00', '   0.020000 2  1F0  Rx   d 8 00 00 00 00 00 00 00 00']));
    await writeFile(join(logs, 'b.asc'), asc(['   0.010000 2  1F0  Rx   d 8 00 00 00 00 00 00 00 00', '   0.020000 1  C8   Rx   d 8 00 00 00 00 00 00 00 00', '   0.030000 1  C8   Rx   d 8 00 00 00 00 00 00 00 00']));
    const file = join(dir, 'map.yaml');
    const section = (channel: number): string => `source_id: scan\nsink: { url: stdout }\ncan:\n  interface: file:${logs}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { channel: ${channel} }\n`;
    await writeFile(file, section(2));
    const two = await run(['--config', file, '--scan']);
    expect(two.code, two.stderr).toBe(0);
    const lines = two.stdout.split('\n');
    expect(lines[0]).toMatch(/^2 frames of channel 2 from the 2 logs of /);
    expect(lines.filter((l) => l.startsWith('0x')).map((l) => l.split(/ {2,}/))).toEqual([['0x1F0', '2', expect.any(String), '8', 'WheelSpeeds', 'read']]);
    expect(lines).toContain('only channel 2 is read (replay.channel), as a run reads it: 3 frames of other channels (1) left out; without replay.channel --scan lists them.');

    await writeFile(file, section(3));
    const none = await run(['--config', file, '--scan']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('no frames.\nno frame is on channel 3 (replay.channel); the log\'s 5 frames are on 1, 2.\n');
  });

  it('needs only the DBC and the interface, and refuses a wrong duration with exit code 2', async () => {
    const file = await mapping();
    const wrong = await run(['--config', file, '--scan', '5ms']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--scan 5ms: must be at least 1s');
  });
});

describe('the bus survey', () => {
  it('counts ids one by one up to its bound, and the rest only', () => {
    const survey = createBusSurvey(2);
    const f = (id: number): CanFrame => ({ id, extended: false, fd: false, data: new Uint8Array(1), timestampMs: id, timestampSource: 'log' });
    for (const id of [1, 2, 3, 3, 1]) survey.frame(f(id));
    const result = survey.result();
    expect(result.ids.map((s) => [s.id, s.frames])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect([result.frames, result.uncounted]).toEqual([5, 2]);
  });
});
