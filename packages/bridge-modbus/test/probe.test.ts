import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encodeRegisters } from '../src/encode.js';
import { isModbusBridgeError } from '../src/errors.js';
import { analyseRegisters, parseProbeRange, probeDevice } from '../src/probe.js';
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

  it('reads each register as float16 too, as sent', () => {
    const text = formatProbe(analyseRegisters([0x3c00, 0xc000, 0x7c00], { table: 'holding', address: 0, count: 3 }, device));
    expect(text).toMatch(/^register\s+hex\s+uint16\s+int16\s+float16$/m);
    expect(text).toMatch(/^0\s+0x3c00\s+15360\s+15360\s+1$/m);
    expect(text).toMatch(/^1\s+0xc000\s+49152\s+-16384\s+-2$/m);
    expect(text).toMatch(/^2\s+0x7c00\s+31744\s+31744\s+Infinity$/m);
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
});
