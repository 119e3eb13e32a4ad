import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom, startCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { startTcpVehicle } from './helpers/tcp-vehicle.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

async function mapping(dir: string, connection: string, extra = ''): Promise<string> {
  const file = join(dir, 'map.yaml');
  await writeFile(file, `source_id: scan\nsink: { url: stdout }\nmavlink:\n  connection: '${connection}'\n${extra}`);
  return file;
}

/** A .tlog: each frame after its receive time, 8 bytes big-endian microseconds since the epoch. */
function tlog(records: { ms: number; frame: Buffer }[]): Buffer {
  return Buffer.concat(
    records.flatMap((r) => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt((T0 + r.ms) * 1000));
      return [head, r.frame];
    }),
  );
}

const KEY = Buffer.alloc(32, 7);
// ArduPlane's HEARTBEAT (fixed wing, ArduPilot, armed, mode 10 AUTO), by the test's own encoder.
const planeHb = { type: 1, autopilot: 3, base_mode: 209, custom_mode: 10, system_status: 4, mavlink_version: 3 };

describe('bridge-mavlink --scan', () => {
  it('lists each sender of a .tlog with what it is, its link and its messages', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const path = join(dir, 'flight.tlog');
    await writeFile(
      path,
      tlog([
        // System 1 (node-mavlink, ArduCopter in GUIDED, armed): ATTITUDE every 100 ms, its last HEARTBEAT signed.
        { ms: 0, frame: nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 1, seq: 0 }) },
        { ms: 10, frame: encodeV1('HEARTBEAT', planeHb, { sysid: 2, seq: 0 }) },
        { ms: 100, frame: nmFrame(nmAttitude(100), { sysid: 1, seq: 1 }) },
        // System 2's sequence number 1 never arrives: one frame lost of four.
        { ms: 110, frame: encodeV2('ATTITUDE', { time_boot_ms: 110, roll: -0.5 }, { sysid: 2, seq: 2 }) },
        { ms: 200, frame: nmFrame(nmAttitude(200), { sysid: 1, seq: 2 }) },
        { ms: 300, frame: nmFrame(nmAttitude(300), { sysid: 1, seq: 3 }) },
        { ms: 1000, frame: nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 1, seq: 4, sign: { key: KEY, linkId: 1, unixMs: T0 + 1000 } }) },
        { ms: 1010, frame: encodeV1('HEARTBEAT', planeHb, { sysid: 2, seq: 3 }) },
      ]),
    );
    const file = await mapping(dir, `tlog://${path}?pace=recorded`, '  messages: { ATTITUDE: [roll] }\n');
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    // Rates on the recorded clock: 3 ATTITUDEs over 200 ms, 2 HEARTBEATs over 1 s.
    expect(result.stdout.split('\n')).toEqual([
      `8 frames from 2 senders, the log tlog://${path}?pace=recorded&speed=1`,
      '',
      'system 1, component 1: ARDUPILOTMEGA QUADROTOR, GUIDED, armed; MAVLink 2, 1 of 5 frames signed, 0.0% lost',
      '  message    frames  rate   mapping',
      '  ATTITUDE   3       10/s   read',
      '  HEARTBEAT  2       1.0/s  -',
      '',
      'system 2, component 1: ARDUPILOTMEGA FIXED_WING, AUTO, armed; MAVLink 1 and 2, unsigned, 25.0% lost',
      '  message    frames  rate   mapping',
      '  ATTITUDE   1       -      read',
      '  HEARTBEAT  2       1.0/s  -',
      '',
      // The block to paste: every message heard, the mapping's own entry kept.
      "# the 2 messages heard and the mapping's own entries; paste under mavlink: in place of its messages:",
      "# default reads a message's useful fields, all every field: --list-messages NAME lists them",
      'messages:',
      '  # system 1, component 1',
      '  ATTITUDE: [ roll ]',
      '  HEARTBEAT: default',
      '  # system 2, component 1 (also sends ATTITUDE, HEARTBEAT, listed above)',
      '',
    ]);
  });

  it('marks the messages of a sender that systems/components leave out as filtered, and says why', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const path = join(dir, 'filtered.tlog');
    await writeFile(
      path,
      tlog([
        { ms: 0, frame: encodeV1('HEARTBEAT', planeHb, { sysid: 1, seq: 0 }) },
        { ms: 10, frame: encodeV1('STATUSTEXT', { severity: 6, text: 'hello' }, { sysid: 3, seq: 0 }) },
        { ms: 20, frame: encodeV1('HEARTBEAT', planeHb, { sysid: 2, compid: 154, seq: 0 }) },
      ]),
    );
    const file = await mapping(dir, `tlog://${path}`, '  systems: [1, 2]\n  components: [1]\n  messages: { HEARTBEAT: default, STATUSTEXT: default }\n');
    const result = await run(['--config', file, '--scan']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const system = (n: string): string[] => lines.slice(lines.findIndex((l) => l.startsWith(`system ${n},`)) + 1).slice(0, 3);
    expect(system('1')).toEqual(['  message    frames  rate  mapping', '  HEARTBEAT  1       -     read', '']);
    expect(system('3')).toEqual(['  message     frames  rate  mapping', '  STATUSTEXT  1       -     filtered', '  filtered: the mapping reads nothing from this sender (system 3 is not in systems: [1, 2])']);
    expect(system('2')).toEqual(['  message    frames  rate  mapping', '  HEARTBEAT  1       -     filtered', '  filtered: the mapping reads nothing from this sender (component 154 is not in components: [1])']);
  });

  it('fails on a file that is not a .tlog (empty, random bytes) with exit 1 and the message a run gives, rather than exit 0 or a hint to check a port or baud rate', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const empty = join(dir, 'empty.tlog');
    await writeFile(empty, Buffer.alloc(0));
    const random = seededRandom(7);
    const noise = join(dir, 'capture.bin');
    // Bytes that hold neither a start byte nor a timestamp anywhere: a raw capture or another log format.
    await writeFile(noise, Buffer.from(Array.from({ length: 4096 }, () => 0x10 + Math.floor(random() * 0xe0))));
    for (const [path, held] of [[empty, 'nothing: the file is empty'], [noise, '4,096 bytes that were not .tlog records skipped']] as const) {
      const file = await mapping(dir, `tlog://${path}`);
      const message = `no MAVLink frame could be read from ${path} (${held}): a .tlog (Mission Planner, QGroundControl, MAVProxy) holds an 8-byte timestamp before each frame`;
      const scan = await run(['--config', file, '--scan']);
      expect(scan.code, scan.stderr).toBe(1);
      expect(scan.stderr).toContain(`bridge-mavlink --scan: ${message}`);
      expect(scan.stdout).toBe('');
      expect(scan.stderr).not.toContain('baud rate');
      // A run of the same mapping: the same exit code and message.
      const replay = await run(['--config', file, '--dry-run']);
      expect(replay.code, replay.stderr).toBe(1);
      expect(replay.stderr).toContain(message);
    }
  });

  it('listens to a live link for the time given (a vehicle on TCP), counts what is not a frame, and says so when nothing is heard', async () => {
    const vehicle = track.add(await startTcpVehicle(), (v) => v.close());
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const file = await mapping(dir, `tcp://127.0.0.1:${vehicle.port}`);
    const child = spawn(process.execPath, [BIN, '--config', file, '--scan', '1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Connected before the second starts: frames written now are heard.
    const socket = await vehicle.connections(1);
    socket.write(Buffer.concat([nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 7, seq: 0 }), Buffer.from('line noise'), nmFrame(nmAttitude(100), { sysid: 7, seq: 1 })]));
    expect(await exited).toBe(0);
    expect(stdout).toContain(`2 frames from 1 senders, 1s on tcp://127.0.0.1:${vehicle.port}`);
    expect(stdout).toContain('system 7, component 1: ARDUPILOTMEGA QUADROTOR, GUIDED, armed; MAVLink 2, unsigned, 0.0% lost');
    // 'line noise': 10 bytes that are no frame.
    expect(stdout).toContain('set aside by the parser: garbage 10 bytes');

    const silent = track.add(await startTcpVehicle(), (v) => v.close());
    const quiet = await run(['--config', await mapping(dir, `tcp://127.0.0.1:${silent.port}`), '--scan', '1s']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('no MAVLink frames: check the connection');
  });

  it('ends a long scan at Ctrl-C with its report, and exits 0; port 0 is shown as the port bound', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const scan = startCommand(BIN, ['--config', await mapping(dir, 'udpin://127.0.0.1:0'), '--scan', '10m'], { track });
    await scan.said('listening on');
    const port = Number(/listening on udpin:\/\/127\.0\.0\.1:(\d+) for 10m/.exec(scan.stderr())?.[1]);
    expect(port, scan.stderr()).toBeGreaterThan(0);
    // It is the port the scan holds: another socket cannot bind it.
    const other = createSocket('udp4');
    const bound = await new Promise<string>((resolve) => {
      other.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      other.bind(port, '127.0.0.1', () => resolve('bound'));
    });
    other.close();
    expect(bound).toBe('EADDRINUSE');
    scan.child.kill('SIGINT');
    expect(await scan.exited, scan.stderr()).toBe(0);
    const stdout = scan.stdout();
    expect(stdout).toMatch(new RegExp(`^0 frames from 0 senders, [\\d.]+m?s \\(stopped early\\) on udpin://127\\.0\\.0\\.1:${port}$`, 'm'));
    expect(stdout).toContain('no MAVLink frames: check the connection');
  });

  it('on tcpin:// waits for a client, says when it comes and goes, and lists what it sent, a frame it cut short counted when it left', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const scan = startCommand(BIN, ['--config', await mapping(dir, 'tcpin://127.0.0.1:0'), '--scan', '10m'], { track });
    await scan.said('listening on');
    const port = Number(/listening on tcpin:\/\/127\.0\.0\.1:(\d+) for 10m/.exec(scan.stderr())?.[1]);
    expect(port, scan.stderr()).toBeGreaterThan(0);
    // A router connecting out to the bridge (mavlink-router's TcpEndpoint, MAVProxy --out tcp:).
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const peer = `tcp:127.0.0.1:${client.localPort}`;
    const attitude = nmFrame(nmAttitude(200), { sysid: 7, seq: 2 });
    client.end(Buffer.concat([nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 7, seq: 0 }), nmFrame(nmAttitude(100), { sysid: 7, seq: 1 }), attitude.subarray(0, 12)]));
    // Said once the scan has read everything the client sent: its bytes end before it leaves.
    await scan.said(`${peer} disconnected`);
    expect(scan.stderr()).toContain(`${peer} connected (1 client connected)`);
    scan.child.kill('SIGINT');
    expect(await scan.exited, scan.stderr()).toBe(0);
    const stdout = scan.stdout();
    expect(stdout).toMatch(new RegExp(`^2 frames from 1 senders, [\\d.]+m?s \\(stopped early\\) on tcpin://127\\.0\\.0\\.1:${port}$`, 'm'));
    expect(stdout).toContain('system 7, component 1: ARDUPILOTMEGA QUADROTOR, GUIDED, armed; MAVLink 2, unsigned, 0.0% lost');
    expect(stdout).toContain('set aside by the parser: truncated 1');
  });

  it('refuses a wrong duration with exit code 2', async () => {
    const dir = await track.tempDir('bridge-mavlink-scan-');
    const result = await run(['--config', await mapping(dir, 'udpin://127.0.0.1:0'), '--scan', '10ms']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--scan 10ms: must be at least 1s');
  });
});
