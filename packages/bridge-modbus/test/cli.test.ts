import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRegisters } from '../src/encode.js';
import { startModbusSimulator } from '../src/simulator.js';
import { startPyModbus } from './helpers/pymodbus.js';
import { startServerTcp } from './helpers/server-tcp.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const SIM = fileURLToPath(new URL('../sim.js', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('bridge-modbus is not built: run `pnpm --filter @fieldbridge/bridge-modbus build` (turbo runs it before test)');
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
  const file = join(await track.tempDir('bridge-modbus-cli-'), 'map.yaml');
  await writeFile(file, body);
  return file;
}

const device = (url: string): string => `
modbus:
  devices:
    - name: press1
      connection: ${url}
      points:
        - { metric: '{device}.level', table: holding, address: 0, scale: 0.1 }
        - { metric: '{device}.flow', table: holding, address: 2, type: float32 }
`;

describe('bridge-modbus command', () => {
  it('--once polls the simulator and delivers to gateway-dev', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const file = await mapping(`source_id: cli-test\nsink: { url: '${gw.url}', api_key: k }\n${device(sim.url)}`);
    const result = await run(['--config', file, '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(gw.points().map((p) => p.metric).sort()).toEqual(['press1.flow', 'press1.level']);
  });

  it('--once exits 1, without hanging, when a device cannot be reached', async () => {
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const closed = await startServerTcp({});
    await closed.close();
    const file = await mapping(`source_id: cli-test\nmodbus:\n  devices:\n    - name: up\n      connection: ${sim.url}\n      points: [{ metric: a, table: holding, address: 0 }]\n    - name: down\n      connection: ${closed.url}\n      points: [{ metric: b, table: holding, address: 0 }]\n`);
    const result = await run(['--config', file, '--once']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${closed.url}: cannot connect`);
  });

  it('--once exits 1 when a device gave no value, only exceptions, and says how 40001-style numbers map', async () => {
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    // The simulator answers ILLEGAL DATA ADDRESS from 1000 on: 40001 is the manual's number for holding 0.
    const file = await mapping(`source_id: cli-test\nmodbus:\n  devices:\n    - name: plc\n      connection: ${sim.url}\n      points: [{ metric: level, table: holding, address: 40001 }]\n`);
    const result = await run(['--config', file, '--once']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('answered exception 2 ILLEGAL DATA ADDRESS; if 40001 is a register number from a manual (4xxxx, 3xxxx), addresses count from 0 in the table: 40001 is holding 0, 30001 input 0');
  });

  it('--check prints the planned requests without connecting', async () => {
    const file = await mapping(`source_id: cli-test\n${device('tcp://192.0.2.1:502')}`);
    const result = await run(['--config', file, '--check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('press1: unit 1 on tcp://192.0.2.1:502, every 1000 ms');
    expect(result.stdout).toContain('holding 0-3: press1.level (uint16), press1.flow (float32)');
  });

  it('--check names the part of its register each int8, uint8, bitfield and bit point reads, and refuses fields sharing bits at their line', async () => {
    const body = (points: string): string => `source_id: cli-test\nmodbus:\n  devices:\n    - name: hvac\n      connection: tcp://192.0.2.1:502\n      points:\n${points}`;
    const file = await mapping(body(
      "        - { metric: mode, table: holding, address: 4, type: uint8, byte: high }\n" +
        "        - { metric: trim, table: holding, address: 4, type: int8, byte: low }\n" +
        "        - { metric: gear, table: holding, address: 5, type: bitfield, bit: 4, bits: 4 }\n" +
        "        - { metric: run, table: holding, address: 5, type: bit, bit: 0 }\n" +
        "        - { metric: sp, table: holding, address: 6, type: float16 }\n",
    ));
    const result = await run(['--config', file, '--check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('hvac: unit 1 on tcp://192.0.2.1:502, every 1000 ms (timeout 1000 ms, retries 1), 5 points in 1 request');
    expect(result.stdout).toContain('holding 4-6: mode (uint8 high byte), trim (int8 low byte), gear (bitfield bits 4-7), run (bit 0), sp (float16)');
    const clash = await mapping(body(
      "        - { metric: gear, table: holding, address: 5, type: bitfield, bit: 4, bits: 4 }\n        - { metric: flag, table: holding, address: 5, type: bit, bit: 6 }\n",
    ));
    const refused = await run(['--config', clash, '--check']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${clash}:8:52 modbus.devices[0].points[1].address: holding 5 bit 6: points[0] already reads bits 4-7 of this register`);
  });

  it('--check accepts addresses that read like Modicon numbers (40001) and warns at their line, but not of a SunSpec layout from 40000', async () => {
    const body = (points: string): string =>
      `source_id: cli-test\nmodbus:\n  devices:\n    - name: meter\n      connection: tcp://192.0.2.1:502\n      points:\n${points}`;
    const file = await mapping(body('        - { metric: v, table: holding, address: 40001 }\n        - { metric: i, table: holding, address: 40003 }\n'));
    const modicon = await run(['--config', file, '--check']);
    expect(modicon.code, modicon.stderr).toBe(0);
    expect(modicon.stderr).toContain(
      `${file}:7:49 modbus.devices[0].points[0].address: warning: 40001 reads like a Modicon register number (4xxxx, counting from 1) (so do 40003 of meter): address: 40001 reads holding 40001, ` +
        "while register 40001 of a manual is address: 0. Keep it if the device's manual gives protocol addresses (SunSpec devices start at 40000)\n",
    );
    const sunspec = await run(['--config', await mapping(body("        - { metric: sid, table: holding, address: 40000, type: string, length: 2 }\n        - { metric: model, table: holding, address: 40002 }\n")), '--check']);
    expect(sunspec.code, sunspec.stderr).toBe(0);
    expect(sunspec.stderr).not.toContain('warning:');
  });

  it('--check warns of an RTU device whose longest read takes longer on the line than its timeout', async () => {
    const body = (connection: string, extra: string): string =>
      `source_id: cli-test\nmodbus:\n  devices:\n    - name: meter\n      connection: ${connection}\n${extra}      points:\n${Array.from({ length: 125 }, (_, i) => `        - { metric: r${i}, table: holding, address: ${i} }\n`).join('')}`;
    // By hand: 8 request bytes and 5 + 250 answer bytes, 11 bits each (8N1 is 10; even parity adds one) at 1200 baud: 263 * 11 / 1200 = 2.41 s.
    const slow = await mapping(body('rtu:///dev/ttyUSB0?baud=1200&parity=even', ''));
    const warned = await run(['--config', slow, '--check']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(
      `${slow}:5:19 modbus.devices[0].connection: warning: at 1200 baud, holding 0-124 and its answer take 2.41s on the line, not less than timeout_ms 1s: every such read would time out; set timeout_ms: 3.7s (or lower max_registers, or raise the baud rate on the device and here)`,
    );
    // Behind a converter only its baud rate is known: 10 bits a character, the fewest any framing takes: 263 * 10 / 1200 = 2.19 s.
    const converter = await mapping(body('rtu+tcp://10.0.0.9:4001?baud=1200', ''));
    const behind = await run(['--config', converter, '--check']);
    expect(behind.code, behind.stderr).toBe(0);
    expect(behind.stderr).toContain(`${converter}:5:19 modbus.devices[0].connection: warning: at 1200 baud, holding 0-124 and its answer take 2.19s on the line, not less than timeout_ms 1s`);
    // At 9600 baud the same read takes 301 ms; a timeout of 3 s covers 1200 baud; a converter without ?baud= has no speed to go by.
    for (const fits of [body('rtu:///dev/ttyUSB0?baud=9600&parity=even', ''), body('rtu:///dev/ttyUSB0?baud=1200&parity=even', '      timeout_ms: 3s\n'), body('rtu+tcp://10.0.0.9:4001', '')]) {
      const quiet = await run(['--config', await mapping(fits), '--check']);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).not.toContain('warning:');
    }
  });

  it('--probe prints every byte order of a register range', async () => {
    const words = [12.375, 1450.5, -0.75].flatMap((v) => encodeRegisters('float32', v, 'CDAB'));
    const srv = track.add(await startServerTcp({ holding: new Map(words.map((w, i) => [100 + i, w])) }), (s) => s.close());
    const file = await mapping(`source_id: cli-test\n${device(srv.url)}`);
    const result = await run(['--config', file, '--probe', 'holding:100-105', '--device', 'press1']);
    expect(result.code, result.stderr).toBe(0);
    // One row per start register: float32 under ABCD, BADC, CDAB, DCBA.
    expect(result.stdout).toMatch(/^100\s+2\.3416e-41\s+2\.5202e-41\s+12\.375 \*\s+12352\.0 \*$/m);
    expect(result.stdout).toContain('byte_order: CDAB looks right (registers 100-101 read 12.375, 102-103 read 1450.5, 104-105 read -0.75 as CDAB)');
    const all = await run(['--config', file, '--probe', 'holding:100-105', '--device', 'press1', '--probe-all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^\s+CDAB\s+0x41460000\s+\d+\s+\d+\s+12\.375 \*$/m);
    expect(srv.seen).toEqual([{ table: 'holding', address: 100, count: 6, unit: 1 }, { table: 'holding', address: 100, count: 6, unit: 1 }]);
  });

  it('--probe of 30 registers prints a line per register in each table; --probe-all adds every 32-bit integer and the 64-bit table', async () => {
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const file = await mapping(`source_id: cli-test\n${device(sim.url)}`);
    const short = await run(['--config', file, '--probe', 'holding:0-29']);
    expect(short.code, short.stderr).toBe(0);
    // Heading, the 16-bit table (title, header, 30 rows), the float32 table (29 rows), the hint: 69 lines with the blank ones.
    expect(short.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(70);
    expect(short.stdout).toContain('float32 starting at each register, under each byte_order (* = plausible; --probe-all adds hex, uint32, int32 and 64-bit values):');
    expect(short.stdout).not.toContain('64-bit values starting');
    const all = await run(['--config', file, '--probe', 'holding:0-29', '--probe-all']);
    expect(all.code, all.stderr).toBe(0);
    const rows = (title: string): number => all.stdout.slice(all.stdout.indexOf(title)).split('\n\n')[0]!.split('\n').length - 2;
    expect(rows('32-bit values starting at each register')).toBe(29 * 4);
    expect(rows('64-bit values starting at each register')).toBe(27 * 4);
    expect((await run(['--help'])).stdout).toMatch(/--probe-all\s+with --probe: also print the hex, uint32 and int32/);
    const alone = await run(['--config', file, '--probe-all']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--probe-all goes with --probe RANGE');
  });

  it('--probe reads a device the mapping gives no points yet; --check and a run refuse it, naming --probe', async () => {
    const srv = track.add(await startServerTcp({ holding: new Map([[7, 0x1234]]) }), (s) => s.close());
    const file = await mapping(`source_id: cli-test\nsink: { url: stdout }\nmodbus:\n  devices:\n    - name: plc\n      connection: ${srv.url}\n`);
    const probed = await run(['--config', file, '--probe', 'holding:7-8']);
    expect(probed.code, probed.stderr).toBe(0);
    // 0x1234 as a half float: 0 00100 1000110100 = 1588 * 2^-21 = 0.000757217..., 0.000757 at its shortest;
    // swapped, 0x3412: 0 01101 0000010010 = 1042 * 2^-12 = 0.25439..., 0.2544 at its shortest.
    expect(probed.stdout).toMatch(/^7\s+0x1234\s+4660\s+4660\s+0\.000757\s+0x3412\s+13330\s+13330\s+0\.2544$/m);
    for (const args of [['--check'], ['--dry-run', '--once']]) {
      const refused = await run(['--config', file, ...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(`${file}:5:7 modbus.devices[0].points: device "plc" has no points: list the values to read (bridge-modbus --probe holding:0-9 --device plc`);
    }
    expect(srv.seen).toEqual([{ table: 'holding', address: 7, count: 2, unit: 1 }]);
  });

  it('--probe coil:... and discrete:... print the bits pymodbus holds, with the addresses that are on', async () => {
    // pymodbus-server.py sets coils 0, 3 and 9, and the discrete inputs whose address is a multiple of 3.
    const py = track.add(await startPyModbus('tcp'), (p) => p.close());
    const file = await mapping(`source_id: cli-test\n${device(`tcp://127.0.0.1:${py.port}`)}`);
    const coils = await run(['--config', file, '--probe', 'coil:0-11']);
    expect(coils.code, coils.stderr).toBe(0);
    expect(coils.stdout).toMatch(/^device press1 \(unit 1 on tcp:\/\/127\.0\.0\.1:\d+\), coil 0-11$/m);
    expect(coils.stdout).toMatch(/^0\s+1\s+\.\s+\.\s+1\s+\.\s+\.\s+\.\s+\.\s+\.\s+1\s+\.\s+\.$/m);
    expect(coils.stdout).toContain('on: 0, 3, 9 (3 of 12); map one as { table: coil, address: 0 }');
    const inputs = await run(['--config', file, '--probe', 'discrete:1+6']);
    expect(inputs.code, inputs.stderr).toBe(0);
    expect(inputs.stdout).toContain('on: 3, 6 (2 of 6); map one as { table: discrete, address: 3 }');
  });

  it('--probe refuses a bad range with exit code 2', async () => {
    const file = await mapping(`source_id: cli-test\n${device('tcp://127.0.0.1:1')}`);
    const result = await run(['--config', file, '--probe', 'coil:0..3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--probe "coil:0..3": not a range of coils. Use coil:FIRST-LAST or coil:FIRST+COUNT, e.g. coil:0-15');
    const typo = await run(['--config', file, '--probe', 'holding:0..3']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--probe "holding:0..3": not a register range');
  });

  it('refuses a bad mapping with exit code 2 and file:line:col', async () => {
    const file = await mapping(`source_id: cli-test\nmodbus:\n  devices:\n    - name: p\n      connection: tcp://127.0.0.1:502\n      points:\n        - { metric: s, table: holding, address: 0, type: string }\n`);
    const result = await run(['--config', file, '--check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:7:`);
    expect(result.stderr).toContain('modbus.devices[0].points[0].type: type string needs length');
  });
});

describe('bridge-modbus-sim command', () => {
  it('prints its URL, serves Modbus there, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [SIM, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    track.defer(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const file = await mapping(`source_id: cli-test\n${device(url)}`);
    const read = await run(['--config', file, '--dry-run', '--once']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('"metric":"press1.flow"');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('refuses a bad port with the usage and exit code 2', async () => {
    const result = await run(['--port', 'http'], SIM);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port http: give a whole number from 0 to 65535');
    expect(result.stderr).toContain('Usage: bridge-modbus-sim');
  });
});
