import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSerialPair, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { isModbusBridgeError } from '../src/errors.js';
import { parseConnection, type ConnectionSpec } from '../src/connection-url.js';
import { resolveConfig, resolveDevice } from '../src/resolve.js';
import { parseUnitRange, scanRegister, scanUnits, type UnitAnswer } from '../src/unit-scan.js';
import { describeAnswer, scanSummary } from '../src/unit-scan-format.js';
import { oneDevice } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';
import { startServerTcp } from './helpers/server-tcp.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A mapping file with one device on `connection` and no points: what a user has before knowing the unit id. */
async function deviceOnly(connection: string): Promise<string> {
  const file = join(await track.tempDir('bridge-modbus-scan-'), 'map.yaml');
  await writeFile(file, `source_id: scan\nsink: { url: stdout }\nmodbus:\n  devices:\n    - name: line1\n      connection: '${connection}'\n`);
  return file;
}

/** The device a scan asks: a name and a connection (no unit id, no points). */
function lineAt(url: string): { name: string; connection: ConnectionSpec } {
  const parsed = parseConnection(url);
  if (!parsed.ok) throw new Error(parsed.message);
  return { name: 'plc', connection: parsed.spec };
}

const tcp = { kind: 'tcp', host: '127.0.0.1', port: 502 } as const;
const serial = { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1 } as const;

type Behaviour = { value: number } | { exception: number } | 'close';

/**
 * A Modbus TCP peer written from the specification's MBAP frames (not modbus-serial's server):
 * each unit id in `units` answers a read of holding registers as told, every other id stays
 * silent, as behind a gateway whose serial line has nothing at that id.
 */
async function startScriptedPeer(units: Map<number, Behaviour>): Promise<{ url: string; connections: number }> {
  const peer = { url: '', connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    peer.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 12) {
        const frame = pending.subarray(0, 12);
        pending = pending.subarray(12);
        const [tidHi, tidLo, , , , , unit, fc] = frame;
        const behaviour = units.get(unit!);
        if (behaviour === undefined) continue;
        if (behaviour === 'close') {
          socket.destroy();
          return;
        }
        // Transaction id, protocol 0, length, unit, then the PDU.
        const pdu = 'value' in behaviour ? [fc!, 2, behaviour.value >> 8, behaviour.value & 0xff] : [fc! | 0x80, behaviour.exception];
        socket.write(Buffer.from([tidHi!, tidLo!, 0, 0, 0, pdu.length + 1, unit!, ...pdu]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  peer.url = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return peer;
}

describe('parseUnitRange', () => {
  it('reads a range, one id, or every id the line addresses', () => {
    expect(parseUnitRange('1-10', serial)).toEqual({ first: 1, last: 10 });
    expect(parseUnitRange('17', serial)).toEqual({ first: 17, last: 17 });
    expect(parseUnitRange(true, serial)).toEqual({ first: 1, last: 247 });
    expect(parseUnitRange(undefined, tcp)).toEqual({ first: 0, last: 255 });
    expect(parseUnitRange('0-255', tcp)).toEqual({ first: 0, last: 255 });
  });

  it('refuses ids the line cannot address, naming the range it can', () => {
    const refusal = (value: string, spec: typeof tcp | typeof serial): string => {
      try {
        parseUnitRange(value, spec);
      } catch (err) {
        expect(isModbusBridgeError(err, 'PROBE_INVALID')).toBe(true);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('0-5', serial)).toBe('--scan-units 0-5: a serial line addresses unit ids 1-247');
    expect(refusal('248', serial)).toBe('--scan-units 248: a serial line addresses unit ids 1-247');
    expect(refusal('256', tcp)).toBe('--scan-units 256: Modbus TCP addresses unit ids 0-255');
    expect(refusal('9-3', tcp)).toBe('--scan-units 9-3: the last id is before the first');
    expect(refusal('all', tcp)).toBe('--scan-units all: not a unit id range; give FIRST-LAST or one id (Modbus TCP addresses unit ids 0-255)');
  });
});

describe('scanRegister', () => {
  it("reads the device's first mapped point, else holding register 0", () => {
    const [mapped] = resolveConfig(oneDevice('tcp://10.0.0.5', [{ metric: 'x', table: 'input', address: 30 }]));
    expect(scanRegister(mapped!)).toEqual({ table: 'input', address: 30 });
    const bare = resolveDevice({ name: 'plc', connection: 'tcp://10.0.0.5', points: [] });
    expect(scanRegister(bare)).toEqual({ table: 'holding', address: 0 });
  });
});

describe('scanUnits', () => {
  it('tells a value, an exception, a gateway with nothing behind it, a dropped connection and silence apart', async () => {
    const peer = await startScriptedPeer(
      new Map<number, Behaviour>([
        [1, { value: 0x1234 }],
        [2, { exception: 2 }],
        [3, { exception: 11 }],
        [4, 'close'],
        [6, { value: 7 }],
      ]),
    );
    const heard: UnitAnswer[] = [];
    const report = await scanUnits(lineAt(peer.url), { range: { first: 1, last: 7 }, register: { table: 'holding', address: 0 }, timeoutMs: 1000, onAnswer: (a) => heard.push(a) });
    expect(report.answers).toEqual([
      { unit: 1, kind: 'value', value: 0x1234 },
      { unit: 2, kind: 'exception', code: 2 },
      { unit: 3, kind: 'gateway', code: 11 },
      { unit: 4, kind: 'dropped', message: expect.stringContaining('connection lost') },
      { unit: 6, kind: 'value', value: 7 },
    ]);
    expect(heard).toEqual(report.answers);
    // The connection the peer closed at unit 4 was opened again for 5, 6 and 7.
    expect(peer.connections).toBe(2);
    const register = report.register;
    expect(report.answers.map((a) => describeAnswer(a, register))).toEqual([
      'unit   1  answers: holding 0 = 4660 (0x1234)',
      'unit   2  answers with exception 2 ILLEGAL DATA ADDRESS: a device is there (it refused the read, not the id)',
      'unit   3  gateway answers exception 11 GATEWAY TARGET DEVICE FAILED TO RESPOND: no device behind it answered for this id',
      'unit   4  the device closed the connection when asked for this id',
      'unit   6  answers: holding 0 = 7 (0x0007)',
    ]);
    const summary = scanSummary(report);
    expect(summary[0]).toBe('3 of 7 unit ids answered: 1, 2, 6');
    expect(summary.join('\n')).toContain('a gateway answered for 1 ids with no device behind it');
  });

  it('names a device that ignores the unit id (modbus-serial ServerTCP answers every id)', async () => {
    const srv = track.add(await startServerTcp({ illegal: new Set(['holding:0']) }), (s) => s.close());
    const report = await scanUnits(lineAt(srv.url), { range: { first: 0, last: 3 }, register: { table: 'holding', address: 0 }, timeoutMs: 1000 });
    expect(report.answers.map((a) => [a.unit, a.kind])).toEqual([0, 1, 2, 3].map((unit) => [unit, 'exception']));
    expect(scanSummary(report)).toEqual([
      '4 of 4 unit ids answered: 0, 1, 2, 3',
      'every id answered: this device ignores the unit id (common for Modbus TCP); any unit_id reaches it, 1 or 255 by convention.',
    ]);
  });

  it('rejects with CONNECT_FAILED when nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await scanUnits(lineAt(`tcp://127.0.0.1:${port}`), { range: { first: 1, last: 2 }, register: { table: 'holding', address: 0 }, timeoutMs: 100 }).catch((err: unknown) => err);
    expect(isModbusBridgeError(error, 'CONNECT_FAILED')).toBe(true);
  });
});

describe('bridge-modbus --scan-units', () => {
  it('finds the units pymodbus serves on an RS-485-like serial line, from a mapping with no unit id and no points', async () => {
    const p = track.add(await startSerialPair({ dir: await track.tempDir('fieldbridge-modbus-') }), (s) => s.close());
    track.add(await startPyModbus('serial', p.b), (s) => s.close());
    // pyserial cannot set parity on a pty, so this line runs 19200 8N1; pymodbus answers units 1-3 only.
    const file = await deviceOnly(`rtu://${p.a}?baud=19200`);
    const result = await run(['--config', file, '--scan-units', '1-5', '--scan-timeout', '1s']);
    expect(result.code, result.stderr).toBe(0);
    // Holding 0 of every pymodbus unit is the int16 -12345 its BinaryPayloadBuilder wrote: 0xcfc7.
    expect(result.stdout.split('\n')).toEqual([
      `device line1: asking unit ids 1-5 on rtu://${p.a}?baud=19200&parity=none&data_bits=8&stop_bits=1 for holding 0, 1s each (at most 5s)`,
      'unit   1  answers: holding 0 = 53191 (0xcfc7)',
      'unit   2  answers: holding 0 = 53191 (0xcfc7)',
      'unit   3  answers: holding 0 = 53191 (0xcfc7)',
      '',
      '3 of 5 unit ids answered: 1, 2, 3',
      'in the mapping, a device entry for each of them on this connection, with its unit_id (unit_id: 1, ...).',
      '',
    ]);
  });

  it('exits 1 on a silent serial line and says what to check', async () => {
    const p = track.add(await startSerialPair({ dir: await track.tempDir('fieldbridge-modbus-') }), (s) => s.close());
    const file = await deviceOnly(`rtu://${p.a}?baud=9600&parity=even`);
    const result = await run(['--config', file, '--scan-units', '1-2', '--scan-timeout', '50ms']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no unit id answered.');
    expect(result.stdout).toContain('check the serial settings (baud 9600, parity even, 8 data bits, 1 stop bit: the device must match), the A/B wires');
  });

  it('refuses a wrong range, a wrong timeout, and --probe beside it, with exit code 2', async () => {
    const file = await deviceOnly('tcp://127.0.0.1:1');
    const cases: [string[], string][] = [
      [['--scan-units', '300'], '--scan-units 300: Modbus TCP addresses unit ids 0-255'],
      [['--scan-units', '1-2', '--scan-timeout', '5ms'], '--scan-timeout 5ms: must be at least 20ms'],
      [['--scan-units', '--probe', 'holding:0-1'], '--probe and --scan-units: give one of them'],
      [['--scan-units', '--device', 'nope'], '--device nope: no such device (the mapping has line1)'],
    ];
    for (const [args, message] of cases) {
      const result = await run(['--config', file, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
