import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encodeRegisters } from '../src/encode.js';
import { isModbusBridgeError } from '../src/errors.js';
import { analyseRegisters, parseProbeRange, probeDevice, probeRefusalHint } from '../src/probe.js';
import { formatProbe, likelyByteOrder } from '../src/probe-format.js';
import { resolveConfig } from '../src/resolve.js';
import { oneDevice } from './helpers/mapping.js';
import { startServerTcp } from './helpers/server-tcp.js';

const track = trackCleanups();

const device = { name: 'plc', connection: { kind: 'tcp', host: '10.0.0.5', port: 502 } as const, unitId: 1 };

describe('parseProbeRange', () => {
  it('reads the range forms', () => {
    expect(parseProbeRange('holding:100-109')).toEqual({ table: 'holding', address: 100, count: 10 });
    expect(parseProbeRange('input:0+8')).toEqual({ table: 'input', address: 0, count: 8 });
    expect(parseProbeRange('40')).toEqual({ table: 'holding', address: 40, count: 8 });
  });

  it('refuses what it cannot read with PROBE_INVALID', () => {
    for (const bad of ['coil:0-3', 'holding:10-5', 'holding:0+200', 'holding:65535+2', 'x']) {
      let error: unknown;
      try {
        parseProbeRange(bad);
      } catch (err) {
        error = err;
      }
      expect(isModbusBridgeError(error, 'PROBE_INVALID'), bad).toBe(true);
    }
  });
});

describe('analyseRegisters and formatProbe', () => {
  // Three word-swapped (CDAB) floats: 12.375, 1450.5, -0.75.
  const registers = [12.375, 1450.5, -0.75].flatMap((v) => encodeRegisters('float32', v, 'CDAB'));
  const report = analyseRegisters(registers, { table: 'holding', address: 100, count: registers.length }, device);

  it('shows every 32- and 64-bit reading under every byte order', () => {
    expect(report.wide32).toHaveLength(5);
    expect(report.wide64).toHaveLength(3);
    const first = report.wide32[0]?.values;
    expect(first?.map((v) => v.order)).toEqual(['ABCD', 'BADC', 'CDAB', 'DCBA']);
    expect(first?.find((v) => v.order === 'CDAB')?.float).toBe(12.375);
    // The tracker classic: the same registers read as ABCD give a denormal near 2e-41.
    const abcd = first?.find((v) => v.order === 'ABCD')?.float ?? 0;
    expect(abcd).toBeLessThan(1e-38);
  });

  it('names the byte order that gives sane floats', () => {
    expect(likelyByteOrder(report)).toBe('CDAB');
    const text = formatProbe(report);
    expect(text).toContain('device plc (unit 1 on tcp://10.0.0.5:502), holding 100-105');
    expect(text).toMatch(/^\s+CDAB\s+0x41460000\s+\d+\s+\d+\s+12\.375 \*$/m);
    expect(report.plausible32).toEqual({ ABCD: 0, BADC: 0, CDAB: 3, DCBA: 2 });
    expect(text).toContain('byte_order: CDAB looks right');
  });

  it('reads each register as uint16, int16 and float16 with its bytes as sent (AB) and swapped (BA)', () => {
    // Worked out by hand: 0x3c00 is 1 (exponent 15, bias 15), sent as 0x00 0x3c by a device that swaps
    // bytes; 0xc000 is -2; 0x4d20 is 1.28125 * 16 = 20.5; the other readings are subnormals
    // (n * 2^-24) shown as their shortest decimal: 0x003c = 60 * 2^-24 = 3.58e-6, 0x00c0 = 1.144e-5.
    const text = formatProbe(analyseRegisters([0x3c00, 0x003c, 0xc000, 0x204d, 0x7c00], { table: 'holding', address: 0, count: 5 }, device));
    const rows = text.slice(0, text.indexOf('32-bit')).trim().split('\n').slice(3).map((line) => line.trim().split(/\s+/));
    expect(text).toContain('16-bit values of each register (AB = as sent, byte_order ABCD or CDAB; BA = bytes swapped, BADC or DCBA):');
    expect(rows).toEqual([
      ['register', 'order', 'hex', 'uint16', 'int16', 'float16'],
      ['0', 'AB', '0x3c00', '15360', '15360', '1'],
      ['BA', '0x003c', '60', '60', '0.0000036'],
      ['1', 'AB', '0x003c', '60', '60', '0.0000036'],
      ['BA', '0x3c00', '15360', '15360', '1'],
      ['2', 'AB', '0xc000', '49152', '-16384', '-2'],
      ['BA', '0x00c0', '192', '192', '0.00001144'],
      ['3', 'AB', '0x204d', '8269', '8269', '0.0084'],
      ['BA', '0x4d20', '19744', '19744', '20.5'],
      ['4', 'AB', '0x7c00', '31744', '31744', 'Infinity'],
      ['BA', '0x007c', '124', '124', '0.0000074'],
    ]);
  });

  it('says so when no order stands out', () => {
    const zeros = analyseRegisters([0, 0, 0, 0], { table: 'input', address: 0, count: 4 }, device);
    expect(likelyByteOrder(zeros)).toBeUndefined();
    expect(formatProbe(zeros)).toContain('no byte order stands out');
  });
});

describe('probeDevice', () => {
  it('reads a range from a live server once', async () => {
    const words = encodeRegisters('float64', 6.5, 'DCBA');
    const srv = track.add(await startServerTcp({ input: new Map(words.map((w, i) => [10 + i, w])) }), (s) => s.close());
    const [d] = resolveConfig(oneDevice(srv.url, [{ metric: 'x', table: 'holding', address: 0 }]));
    const report = await probeDevice(d!, parseProbeRange('input:10+4'));
    expect(report.registers).toEqual(words);
    expect(report.wide64[0]?.values.find((v) => v.order === 'DCBA')?.float).toBe(6.5);
    expect(srv.seen).toEqual([{ table: 'input', address: 10, count: 4, unit: 1 }]);
  });

  it('says what to probe instead when the device refuses the range', async () => {
    const srv = track.add(await startServerTcp({ illegal: new Set(['holding:12']), maxRegisters: 4 }), (s) => s.close());
    const [d] = resolveConfig(oneDevice(srv.url, [{ metric: 'x', table: 'holding', address: 0 }]));
    const refusal = async (range: string): Promise<unknown> => probeDevice(d!, parseProbeRange(range)).then(() => undefined, (err: unknown) => err);
    const missing = await refusal('holding:10-13');
    expect(isModbusBridgeError(missing, 'EXCEPTION') && missing.exceptionCode).toBe(2);
    expect((missing as Error).message).toBe(
      'unit 1 holding 10+4: exception 2 ILLEGAL DATA ADDRESS: some register of holding 10-13 does not exist on the device; probe fewer (holding:10+1 asks for one), or try input:10-13',
    );
    expect((await refusal('holding:12+1') as Error).message).toContain(
      'ILLEGAL DATA ADDRESS: the device has no holding register 12; try input:12, or holding:11 if its register map counts from 1',
    );
    expect((await refusal('holding:20+8') as Error).message).toContain('ILLEGAL DATA VALUE: the device reads fewer than 8 registers at once; probe fewer (holding:20+4)');
    expect(probeRefusalHint(1, parseProbeRange('input:0+4'))).toBe('the device has no input registers (function 4); try holding:0-3');
    expect(probeRefusalHint(6, parseProbeRange('input:0+4'))).toBeUndefined();
  });
});
