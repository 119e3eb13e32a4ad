import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestContext, seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BYTE_ORDERS, type ByteOrder, type RegisterByte } from '../src/config.js';
import { decodeRegisters } from '../src/decode.js';
import { encodeRegisters } from '../src/encode.js';
import { createModbusSource } from '../src/source.js';
import { startModbusSimulator } from '../src/simulator.js';
import { section } from './helpers/mapping.js';

// Debian's python3 has pymodbus; `python3` on PATH may be a pyenv shim without it.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/pymodbus-read-parts.py', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/modbus/map.yaml', import.meta.url));
const track = trackCleanups();

interface PartPoint { address: number; type: 'bit' | 'bitfield' | 'int8' | 'uint8' | 'float16'; byte_order?: ByteOrder; bit?: number; bits?: number; byte?: RegisterByte }
type PyAnswer = { registers: Record<string, number>; values: (number | boolean)[] };

/** What pymodbus's BinaryPayloadDecoder reads for `points`, from `registers` or from a server. Asynchronous: the server may be this process. */
async function pymodbusReads(request: { points: PartPoint[]; registers: Record<string, number> } | { points: PartPoint[]; port: number; first: number; count: number }): Promise<PyAnswer> {
  const run = promisify(execFile)(PYTHON, [SCRIPT], { maxBuffer: 16 * 1024 * 1024 });
  run.child.stdin?.end(JSON.stringify(request));
  return JSON.parse((await run).stdout) as PyAnswer;
}

describe('parts of registers written by encodeRegisters, read by pymodbus', () => {
  it('two or more points packed in one register read back as written, in the bridge and in pymodbus', async () => {
    const random = seededRandom(8);
    const int = (n: number): number => Math.floor(random() * n);
    const points: PartPoint[] = [];
    const written: (number | boolean)[] = [];
    const registers: Record<string, number> = {};
    for (let address = 0; address < 400; address++) {
      const order = BYTE_ORDERS[Math.floor(address / 2) % 4]!;
      // Start from noise, so a part that clears or spills over its neighbours' bits shows.
      let word = int(0x10000);
      const parts: [PartPoint, number | boolean][] = [];
      if (address % 2 === 0) {
        const signedHigh = random() < 0.5;
        parts.push([{ address, type: signedHigh ? 'int8' : 'uint8', byte: 'high' }, signedHigh ? int(256) - 128 : int(256)]);
        parts.push([{ address, type: signedHigh ? 'uint8' : 'int8', byte: 'low' }, signedHigh ? int(256) : int(256) - 128]);
      } else {
        // Fields from bit 0 up, of random widths, a single bit now and then; the rest of the register keeps its noise.
        for (let bit = int(3); bit < 16;) {
          const bits = 1 + int(Math.min(6, 16 - bit));
          if (bits === 1 && random() < 0.5) parts.push([{ address, type: 'bit', byte_order: order, bit }, random() < 0.5]);
          else parts.push([{ address, type: 'bitfield', byte_order: order, bit, bits }, int(2 ** bits)]);
          bit += bits + int(2);
        }
      }
      for (const [point, value] of parts) {
        word = encodeRegisters(point.type, value, point.byte_order ?? order, { ...point, register: word })[0]!;
        points.push(point);
        written.push(value);
      }
      registers[String(address)] = word;
    }
    const py = await pymodbusReads({ points, registers });
    const bridge = points.map((p) => decodeRegisters([registers[String(p.address)]!], 0, { ...p, byteOrder: p.byte_order }));
    expect(py.values).toEqual(written);
    expect(bridge).toEqual(written);
    expect(new Set(points.map((p) => `${p.type}/${p.byte_order ?? p.byte}`)).size).toBe(12);
  });
});

describe('the simulator, read by the bridge and by pymodbus', () => {
  // The parts of registers and the half float of examples/modbus/map.yaml, keyed by metric.
  const file = parse(readFileSync(EXAMPLE, 'utf8')) as { modbus: { devices: { connection: string; points: (PartPoint & { metric: string; table: string })[] }[] } };
  const parts = file.modbus.devices[0]!.points.filter((p) => p.table === 'holding' && ['bit', 'bitfield', 'int8', 'uint8', 'float16'].includes(p.type));

  it('examples/modbus/map.yaml reads its packed registers as pymodbus does', async () => {
    expect(parts.map((p) => p.metric.replace('{device}.', ''))).toEqual(['motor.running', 'alarm', 'mode', 'trim', 'setpoint', 'drive.state', 'drive.gear']);
    let now = 1_700_000_000_000;
    const sim = track.add(await startModbusSimulator({ port: 0, now: () => now }), (s) => s.close());
    for (const device of file.modbus.devices) device.connection = sim.url;
    const t = createTestContext();
    const src = track.add(createModbusSource(section(file.modbus), t.ctx), (s) => s.stop());
    const seen: Record<string, unknown>[] = [];
    // 0 s: alarm on, mode 1, gear 1; 12 s: alarm off, trim +5; 35 s: mode 2, gear 3, trim -4; 50 s: mode 3, gear 4, trim +5.
    for (const second of [0, 12, 35, 50]) {
      now = 1_700_000_000_000 + second * 1000;
      t.points.length = 0;
      await src.once();
      const py = await pymodbusReads({ points: parts, port: sim.port, first: 20, count: 10 });
      const bridge = parts.map((p) => t.points.find((q) => q.metric === p.metric.replace('{device}', 'press1'))?.value);
      // A half float compares by its bits: pymodbus gives its exact value, the bridge the shortest decimal reading back to it.
      const bits = (values: unknown[]): unknown[] => values.map((v, i) => (parts[i]!.type === 'float16' ? encodeRegisters('float16', v as number)[0] : v));
      expect(bits(bridge)).toEqual(bits(py.values));
      seen.push(Object.fromEntries(parts.map((p, i) => [p.metric.replace('{device}.', ''), bridge[i]])));
    }
    expect(seen.map((s) => [s['motor.running'], s.alarm, s.mode, s.trim, s['drive.state'], s['drive.gear']])).toEqual([
      [true, true, 1, 0, 5, 1],
      [true, false, 1, 5, 5, 1],
      [true, false, 2, -4, 5, 3],
      [true, false, 3, 5, 5, 4],
    ]);
    expect(seen.every((s) => Math.abs((s.setpoint as number) - 21.5) <= 1.5)).toBe(true);
  });
});
