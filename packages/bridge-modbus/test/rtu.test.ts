import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ModbusRTU from 'modbus-serial';
import { describe, expect, it } from 'vitest';
import { openClient } from '../src/client.js';
import { encodeRegisters } from '../src/encode.js';
import { ModbusBridgeError } from '../src/errors.js';
import { serialOpenMessage } from '../src/serial-open-error.js';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { pyExpected, pyMetric, pyPointEntry } from './helpers/expect-points.js';
import { section } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';
import { startSerialPair, type SerialPair } from '@fieldbridge/core/testing';

const track = trackCleanups();
const source = (...args: Parameters<typeof createModbusSource>): ModbusSource => track.add(createModbusSource(...args), (s) => s.stop());

/** A socat pair in `dir` (default: a fresh folder removed after the test). */
async function pair(dir?: string): Promise<SerialPair> {
  return track.add(await startSerialPair({ dir: dir ?? (await track.tempDir('fieldbridge-modbus-')) }), (p) => p.close());
}

/** modbus-serial's ServerSerial on `path`, answering every unit: holding N = unit * 1000 + N, float32 CDAB at 10. */
async function serverSerial(path: string): Promise<{ seenUnits: number[]; close(): Promise<void> }> {
  const seenUnits: number[] = [];
  const float = encodeRegisters('float32', -12.25, 'CDAB');
  const server = new ModbusRTU.ServerSerial(
    {
      getMultipleHoldingRegisters: (address: number, count: number, unit: number) => {
        seenUnits.push(unit);
        return Array.from({ length: count }, (_, i) => (address + i === 10 || address + i === 11 ? (float[address + i - 10] ?? 0) : unit * 1000 + address + i));
      },
      getHoldingRegister: (address: number, unit: number) => {
        seenUnits.push(unit);
        return unit * 1000 + address;
      },
      getCoil: (address: number, unit: number) => (address + unit) % 2 === 0,
    },
    { path, baudRate: 19200, parity: 'even', unitID: 255 } as never,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('error', reject);
  });
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  track.defer(close);
  return { seenUnits, close };
}

const rtuUrl = (path: string): string => `rtu://${path}?baud=19200&parity=even`;

describe('Modbus RTU over a socat serial pair', () => {
  it('polls several unit ids in turn on one serial line (modbus-serial ServerSerial)', async () => {
    const p = await pair();
    const server = await serverSerial(p.b);
    const points = [
      { metric: '{device}.r0', table: 'holding', address: 0 },
      { metric: '{device}.r1', table: 'holding', address: 1 },
      { metric: '{device}.flow', table: 'holding', address: 10, type: 'float32', byte_order: 'CDAB' },
      { metric: '{device}.c0', table: 'coil', address: 0 },
    ];
    const config = section({ devices: [1, 2, 3].map((unit) => ({ name: `u${unit}`, connection: rtuUrl(p.a), unit_id: unit, poll_ms: 20, points })) });
    const t = createTestContext();
    await source(config, t.ctx).start();
    const perDevice = (name: string): number => t.points.filter((x) => x.tags?.device === name).length;
    await t.waitFor(() => ['u1', 'u2', 'u3'].every((n) => perDevice(n) >= 12), 'three cycles of every unit');
    for (const unit of [1, 2, 3]) {
      expect(new Set(t.valuesOf(`u${unit}.r0`))).toEqual(new Set([unit * 1000]));
      expect(new Set(t.valuesOf(`u${unit}.r1`))).toEqual(new Set([unit * 1000 + 1]));
      expect(new Set(t.valuesOf(`u${unit}.flow`))).toEqual(new Set([-12.25]));
      expect(new Set(t.valuesOf(`u${unit}.c0`))).toEqual(new Set([unit % 2 === 0]));
    }
    expect(new Set(server.seenUnits)).toEqual(new Set([1, 2, 3]));
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'u1', kind: 'timeout' })).toBe(0);
    expect(await t.metric('fieldbridge_source_connected', { channel: 'u3' })).toBe(1);
  });

  it('reads every type from pymodbus on the line, with a missing unit timing out beside them', async () => {
    const p = await pair();
    const py = track.add(await startPyModbus('serial', p.b), (s) => s.close());
    // pyserial cannot set parity on a pty (tcsetattr EINVAL), so this line runs 19200 8N1.
    const url = `rtu://${p.a}?baud=19200`;
    const config = section({
      devices: [
        { name: 'u1', connection: url, unit_id: 1, points: py.points.map(pyPointEntry) },
        { name: 'u2', connection: url, unit_id: 2, points: [{ metric: 'u2.id', table: 'holding', address: 211 }] },
        { name: 'u7', connection: url, unit_id: 7, timeout_ms: 200, retries: 0, points: [{ metric: 'u7.id', table: 'holding', address: 211 }] },
      ],
    });
    const t = createTestContext();
    const error = await source(config, t.ctx).once().then(() => undefined, (err: unknown) => err as Error);
    expect(error?.message).toMatch(/device u7: holding 211: .*no answer/);
    const got = Object.fromEntries(t.points.filter((x) => x.tags?.device === 'u1').map((x) => [x.metric, x.value]));
    expect(got).toEqual(Object.fromEntries(py.points.map((x) => [pyMetric(x), pyExpected(x)])));
    expect(t.valuesOf('u2.id')).toEqual([200]);
    expect(t.valuesOf('u7.id')).toEqual([]);
    expect(t.problems.find((x) => x.key === 'modbus.u7.timeout')?.message).toMatch(
      /did not answer holding 211 within 200 ms \(1 try\); it has not answered since the start: check unit_id 7 \(bridge-modbus --scan-units --device u7 lists the unit ids that answer\), and the line's baud, parity and stop bits and its wiring \(A\/B swapped, termination\)$/,
    );
  });

  it('reopens the serial port after it disappears (an unplugged adapter) and the points resume', async () => {
    const dir = await track.tempDir('fieldbridge-replug-');
    const first = await pair(dir);
    const server = await serverSerial(first.b);
    const t = createTestContext();
    const config = section({
      devices: [{ name: 'u1', connection: rtuUrl(first.a), unit_id: 1, poll_ms: 20, timeout_ms: 200, reconnect: { initial_ms: 20, max_ms: 100 }, points: [{ metric: 'r0', table: 'holding', address: 0 }] }],
    });
    await source(config, t.ctx).start();
    await t.waitFor(() => t.points.length >= 2, 'points before the unplug');
    await server.close();
    await first.close();
    await t.waitFor(() => t.states.some((s) => s.state === 'disconnected'), 'the device to go down');
    const before = t.points.length;
    const second = await pair(dir);
    await serverSerial(second.b);
    await t.waitFor(() => t.points.length > before + 1, 'points after the replug');
    expect(t.states.at(-1)?.state).toBe('connected');
    expect(t.problems.some((x) => x.key.startsWith('modbus.line.serial:') && x.kind === 'resolve')).toBe(true);
  });

  it('says once what to check when the port is not there, without serialport\'s words twice', async () => {
    const missing = `${await track.tempDir('fieldbridge-unplugged-')}/ttyUSB9`;
    const refused = await openClient({ kind: 'rtu', path: missing, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 }, 200).then(
      () => undefined,
      (err: unknown) => err as ModbusBridgeError,
    );
    expect(refused?.code).toBe('CONNECT_FAILED');
    expect(refused?.message).toBe(
      `cannot open ${missing}: No such file or directory: is the adapter plugged in, and is this its name? (ls /dev/serial/by-id/ lists them by a name that does not change)`,
    );
  });

  it('words the other refusals serialport gives: no permission, a port in use', () => {
    expect(serialOpenMessage('/dev/ttyUSB0', 'Error: Permission denied, cannot open /dev/ttyUSB0')).toBe(
      'cannot open /dev/ttyUSB0: Permission denied: the user running the bridge may not open it (on Linux, add it to the group owning the port, usually dialout)',
    );
    expect(serialOpenMessage('/dev/ttyUSB0', 'Error Resource temporarily unavailable Cannot lock port')).toBe(
      'cannot open /dev/ttyUSB0: Resource temporarily unavailable Cannot lock port: another program has it open (another bridge, a terminal, ModemManager)',
    );
    expect(serialOpenMessage('COM3', 'Opening COM3: File not found')).toBe('cannot open COM3: Opening COM3: File not found');
  });

  it('closes a line whose adapter was just unplugged while a request is being written, and the process lives on', async () => {
    // In a process of its own: an error emitted with nobody listening ends the process.
    const script = fileURLToPath(new URL('./fixtures/close-after-unplug.mjs', import.meta.url));
    const ran = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [script], (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ read: 'DISCONNECTED' });
  });
});
