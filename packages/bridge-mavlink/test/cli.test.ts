import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';
import { startMavlinkSimulator } from '../src/simulator.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const SIM = fileURLToPath(new URL('../sim.js', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('bridge-mavlink is not built: run `pnpm --filter @fieldbridge/bridge-mavlink build` (turbo runs it before test)');
  }
});

function run(args: string[], bin = BIN): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `body` as a mapping file in a folder removed after the test. */
async function mapping(body: string): Promise<string> {
  const file = join(await track.tempDir('bridge-mavlink-cli-'), 'map.yaml');
  await writeFile(file, body);
  return file;
}

/** A simulator streaming over TCP on a free port: a peer that is there before the bridge starts. */
async function tcpSim(): Promise<string> {
  const sim = track.add(await startMavlinkSimulator({ transport: 'tcp', port: 0, rateHz: 50 }), (s) => s.close());
  return sim.target;
}

describe('bridge-mavlink command', () => {
  it('--once reads the vehicles and delivers to gateway-dev', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const file = await mapping(`source_id: cli\nsink: { url: '${gw.url}', api_key: k }\nmavlink:\n  connection: ${await tcpSim()}\n  messages: { ATTITUDE: [roll] }\n`);
    const result = await run(['--config', file, '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(gw.points().some((p) => p.metric === 'attitude.roll' && (p.source_id === 'cli-1' || p.source_id === 'cli-2'))).toBe(true);
  });

  it('a .tlog replayed to its end ends the run by itself: every point delivered, exit 0', async () => {
    const dir = await track.tempDir('bridge-mavlink-tlog-');
    const path = join(dir, 'flight.tlog');
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
    const records = Array.from({ length: 30 }, (_, i) => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt((t0 + i * 10) * 1000));
      return Buffer.concat([head, encodeV2('SYS_STATUS', { voltage_battery: 12_000 + i, current_battery: -1, battery_remaining: 80 }, { sysid: 9, seq: i })]);
    });
    await writeFile(path, Buffer.concat(records));
    // One batch holds everything: nothing goes out before the end unless the run delivers it then.
    const file = await mapping(`source_id: cli\nsink: { url: stdout, batch: { max_points: 5000, linger_ms: 60000 } }\nmavlink:\n  connection: tlog://${path}\n  messages: { SYS_STATUS: [voltage_battery] }\n`);
    const result = await run(['--config', file]);
    expect(result.code, result.stderr).toBe(0);
    const volts = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: number }).filter((p) => p.metric === 'sys_status.voltage_battery');
    expect(volts.map((p) => Math.round(p.value * 1000))).toEqual(records.map((_, i) => 12_000 + i));
    expect(result.stderr).toContain(`tlog://${path}?pace=fast replayed to its end: 30 frames: stopping intake and delivering what is queued`);
  });

  it('a .tlog that cannot be read, or holds no frame, ends the run with exit 1 and says why (it ran on for ever, or exited 0)', async () => {
    const dir = await track.tempDir('bridge-mavlink-tlog-');
    const junk = join(dir, 'flight.bin');
    await writeFile(junk, Buffer.alloc(3_000, 0x42));
    for (const [path, why] of [[join(dir, 'missing.tlog'), 'cannot read the tlog file'], [junk, 'no MAVLink frame could be read from']] as const) {
      const result = await run(['--config', await mapping(`source_id: cli\nmavlink:\n  connection: tlog://${path}\n`), '--dry-run']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(why);
    }
  });

  it('a UDP port in use: --scan says so and exits 1, without a crash when it stops', async () => {
    const { createSocket } = await import('node:dgram');
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    track.defer(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const file = await mapping(`source_id: cli\nmavlink:\n  connection: udpin://127.0.0.1:${holder.address().port}\n`);
    const result = await run(['--config', file, '--scan', '1s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not bind UDP 127\.0\.0\.1:\d+: bind EADDRINUSE/);
    expect(result.stderr).not.toMatch(/Not running|ERR_SOCKET_DGRAM_NOT_RUNNING/);
  });

  it('--dry-run --once prints the points as NDJSON on stdout, logs on stderr', async () => {
    const file = await mapping(`source_id: cli\nmavlink:\n  connection: ${await tcpSim()}\n  messages: { VFR_HUD: [groundspeed] }\n`);
    const result = await run(['--config', file, '--dry-run', '--once']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; source_id: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((p) => typeof p.metric === 'string' && /^cli-[12]$/.test(p.source_id))).toBe(true);
  });

  it('--check prints every metric name without connecting, and no secret', async () => {
    const file = await mapping(`source_id: cli\nmavlink:\n  connection: tcp://192.0.2.1:5760\n  signing: { passphrase: '\${FLEET_SECRET}' }\n  messages: { GLOBAL_POSITION_INT: [lat, lon] }\n`);
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, '--config', file, '--check'], { env: { ...process.env, FLEET_SECRET: 'correct horse battery' } }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('tcp://192.0.2.1:5760: ardupilotmega dialect, every system, every component');
    expect(result.stdout).toContain('GLOBAL_POSITION_INT: global_position_int.lat [deg], global_position_int.lon [deg]');
    expect(result.stdout).toContain('signatures checked with a key derived from a passphrase; unsigned frames refused');
    expect(result.stdout).not.toContain('correct horse');
  });

  it('--list-messages lists the dialect, or one message with its fields and units', async () => {
    const file = await mapping('source_id: cli\nmavlink:\n  connection: udpin://0.0.0.0:14550\n  dialect: common\n');
    const all = await run(['--config', file, '--list-messages']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/messages in the common dialect/);
    expect(all.stdout).toMatch(/^\s+33 {2}GLOBAL_POSITION_INT\s+9 fields {2}\(default fields\)$/m);
    const one = await run(['--config', file, '--list-messages', 'battery_status']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^voltages\s+uint16\[10\]\s+mV\s+V$/m);
    expect(one.stdout).toMatch(/^id\s+uint8\s+-\s+-\s+instance$/m);
    expect(one.stdout).toMatch(/^voltage\s+derived\s+-\s+V\s+default, derived$/m);
    const none = await run(['--config', file, '--list-messages', 'NOT_A_MESSAGE']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--list-messages NOT_A_MESSAGE: the common dialect has no such message');
  });

  it('refuses a bad mapping with exit code 2 and file:line:col', async () => {
    const file = await mapping('source_id: cli\nmavlink:\n  connection: udpin://0.0.0.0:14550\n  messages:\n    ATTITUDE: [roll, { field: yaw, to: furlong }]\n');
    const result = await run(['--config', file, '--check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5:`);
    expect(result.stderr).toContain('mavlink.messages.ATTITUDE[1].to: ATTITUDE.yaw: unknown unit "furlong"');
  });
});

describe('bridge-mavlink-sim command', () => {
  it('prints its URL, streams over TCP there, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [SIM, '--tcp', '--port', '0', '--rate', '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    track.defer(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const file = await mapping(`source_id: sim\nmavlink:\n  connection: ${url}\n  messages: { HEARTBEAT: [flight_mode] }\n`);
    const read = await run(['--config', file, '--dry-run', '--once']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/"metric":"(heartbeat\.flight_mode|vehicle\.found)"/);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('refuses a bad option with the usage and exit code 2', async () => {
    const result = await run(['--rate', 'fast'], SIM);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rate fast: ticks per second');
    expect(result.stderr).toContain('Usage: bridge-mavlink-sim');
  });
});
