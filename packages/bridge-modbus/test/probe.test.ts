import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encodeRegisters } from '../src/encode.js';
import { isModbusBridgeError } from '../src/errors.js';
import { analyseRegisters, parseProbeRange, probeDevice, probeRefusalHint, type ProbeReport } from '../src/probe.js';
import { parseBitProbeRange, probeBits } from '../src/probe-bits.js';
import { formatProbe, likelyByteOrder } from '../src/probe-format.js';
import { resolveConfig } from '../src/resolve.js';
import { oneDevice } from './helpers/mapping.js';
import { startPyModbus } from './helpers/pymodbus.js';
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
    const text = formatProbe(report, { all: true });
    expect(text).toContain('device plc (unit 1 on tcp://10.0.0.5:502), holding 100-105');
    expect(text).toMatch(/^\s+CDAB\s+0x41460000\s+\d+\s+\d+\s+12\.375 \*$/m);
    expect(report.evidence32.CDAB.map((e) => [e.address, e.float])).toEqual([[100, 12.375], [102, 1450.5], [104, -0.75]]);
    expect(text).toContain('byte_order: CDAB looks right (registers 100-101 read 12.375, 102-103 read 1450.5, 104-105 read -0.75 as CDAB)');
  });

  it('reads each register as uint16, int16 and float16 with its bytes as sent (AB) and swapped (BA)', () => {
    // Worked out by hand: 0x3c00 is 1 (exponent 15, bias 15), sent as 0x00 0x3c by a device that swaps
    // bytes; 0xc000 is -2; 0x4d20 is 1.28125 * 16 = 20.5; the other readings are subnormals
    // (n * 2^-24) shown as their shortest decimal: 0x003c = 60 * 2^-24 = 3.58e-6, 0x00c0 = 1.144e-5.
    const text = formatProbe(analyseRegisters([0x3c00, 0x003c, 0xc000, 0x204d, 0x7c00], { table: 'holding', address: 0, count: 5 }, device));
    const rows = text.slice(0, text.indexOf('float32 starting')).trim().split('\n').slice(3).map((line) => line.trim().split(/\s+/));
    expect(text).toContain('16-bit values of each register: as sent (byte_order ABCD or CDAB), then with its two bytes swapped (BADC or DCBA):');
    expect(rows).toEqual([
      ['register', 'hex', 'uint16', 'int16', 'float16', 'swapped', 'uint16', 'int16', 'float16'],
      ['0', '0x3c00', '15360', '15360', '1', '0x003c', '60', '60', '0.0000036'],
      ['1', '0x003c', '60', '60', '0.0000036', '0x3c00', '15360', '15360', '1'],
      ['2', '0xc000', '49152', '-16384', '-2', '0x00c0', '192', '192', '0.00001144'],
      ['3', '0x204d', '8269', '8269', '0.0084', '0x4d20', '19744', '19744', '20.5'],
      ['4', '0x7c00', '31744', '31744', 'Infinity', '0x007c', '124', '124', '0.0000074'],
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

  it('says what to check behind a gateway that answers exception 11 for the unit probed (pymodbus as a gateway)', async () => {
    const py = track.add(await startPyModbus('gateway'), (p) => p.close());
    const [d] = resolveConfig(oneDevice(`tcp://127.0.0.1:${py.port}`, [{ metric: 'x', table: 'holding', address: 0 }]));
    const unit9 = { ...d!, name: 'meter9', unitId: 9 };
    const behind = "the gateway is there but no device answered it at unit 9: check the device is powered and wired (A/B, termination), the gateway's serial settings, and unit_id 9 (bridge-modbus --scan-units --device meter9 lists the unit ids that answer)";
    const registers = await probeDevice(unit9, parseProbeRange('holding:0+4')).then(() => undefined, (err: unknown) => err as Error);
    expect(registers?.message).toBe(`unit 9 holding 0+4: exception 11 GATEWAY TARGET DEVICE FAILED TO RESPOND: ${behind}`);
    const bits = await probeBits(unit9, parseBitProbeRange('coil:0+8')!).then(() => undefined, (err: unknown) => err as Error);
    expect(bits?.message).toBe(`unit 9 coil 0+8: exception 11 GATEWAY TARGET DEVICE FAILED TO RESPOND: ${behind}`);
  });
});

describe('a probe of a busy device (pymodbus answering exception 6)', () => {
  it('is asked again as a poll would be, busy_retries times busy_retries_wait apart, and says so when it stays busy', async () => {
    // Unit 2 answers busy to the first 2 requests of each read; unit 3 to every request.
    const py = track.add(await startPyModbus('tcp', undefined, { busy: { 2: [6, 2], 3: [6, null] } }), (p) => p.close());
    const [d] = resolveConfig(oneDevice(`tcp://127.0.0.1:${py.port}`, [{ metric: 'x', table: 'holding', address: 0 }], { busy_retries: 2, busy_retries_wait: '20ms' }));
    const report = await probeDevice({ ...d!, unitId: 2 }, parseProbeRange('holding:211+1'));
    expect(report.registers).toEqual([200]);
    const bits = await probeBits({ ...d!, unitId: 2 }, parseBitProbeRange('coil:0+8')!);
    expect(bits.bits).toHaveLength(8);
    expect(py.busyRequests.filter((r) => r.unit === 2).map((r) => r.exception)).toEqual([6, 6, null, 6, 6, null]);
    const stays = await probeDevice({ ...d!, unitId: 3 }, parseProbeRange('holding:211+1')).then(() => undefined, (err: unknown) => err as Error);
    expect(stays?.message).toBe('unit 3 holding 211+1: exception 6 SERVER DEVICE BUSY: busy through every try, asked 3 times 20 ms apart; try again, or give the device more time with busy_retries and busy_retries_wait');
    const once = await probeDevice({ ...d!, unitId: 3, busyRetries: 0 }, parseProbeRange('holding:211+1')).then(() => undefined, (err: unknown) => err as Error);
    expect(once?.message).toContain('asked once (busy_retries 0)');
  });
});

/** Probes `range` of a live server holding `words` from `first` on in table `table`. */
async function probeLive(table: 'input' | 'holding', first: number, words: number[], range: string): Promise<ProbeReport> {
  const srv = track.add(await startServerTcp({ [table]: new Map(words.map((w, i) => [first + i, w])) }), (s) => s.close());
  const [d] = resolveConfig(oneDevice(srv.url, [{ metric: 'x', table: 'holding', address: 0 }]));
  return probeDevice(d!, parseProbeRange(range));
}

describe('the byte-order hint', () => {
  // 250 as a uint16, then 21.37 as a DCBA float: read from register 0, CDAB gives -490.0076, a
  // believable size but noise, and the only reading at register 0 that is (the old hint's pick).
  const noiseThenFloat = [0x00fa, ...encodeRegisters('float32', 21.37, 'DCBA')];

  it('does not name an order from one reading, and sees a float that starts at an odd register', async () => {
    const report = await probeLive('input', 0, noiseThenFloat, 'input:0+3');
    expect(report.wide32[0]?.values.find((v) => v.order === 'CDAB')?.float).toBeCloseTo(-490.0076, 3);
    expect(likelyByteOrder(report)).toBeUndefined();
    const text = formatProbe(report);
    expect(text).not.toContain('looks right');
    expect(text).toContain('no byte order stands out, not enough evidence: registers 1-2 read 21.37 as DCBA; look for the values you expect');
  });

  it('names the order two readings agree on, and the registers it read them from', async () => {
    const words = [...noiseThenFloat, ...encodeRegisters('float32', 22.5, 'DCBA')];
    const report = await probeLive('input', 0, words, 'input:0+5');
    expect(likelyByteOrder(report)).toBe('DCBA');
    expect(formatProbe(report)).toContain('if these registers hold floats, byte_order: DCBA looks right (registers 1-2 read 21.37, 3-4 read 22.5 as DCBA)');
  });

  it('counts long-digit readings when they are in line with their neighbours, and not alone', async () => {
    // Three phase voltages, word-swapped, with all the digits a live reading has.
    const phases = [229.87314, 231.04127, 230.55671].flatMap((v) => encodeRegisters('float32', v, 'CDAB'));
    const three = await probeLive('holding', 10, phases, 'holding:10+6');
    expect(three.evidence32.CDAB.map((e) => [e.address, e.why])).toEqual([[10, 'neighbours'], [12, 'neighbours'], [14, 'neighbours']]);
    expect(formatProbe(three)).toContain('byte_order: CDAB looks right (registers 10-11 read 229.8731, 12-13 read 231.0413, 14-15 read 230.5567 as CDAB)');
    const one = await probeLive('holding', 10, phases.slice(0, 2), 'holding:10+2');
    expect(one.evidence32.CDAB).toEqual([]);
    expect(formatProbe(one)).toContain('not enough evidence: no float32 reading is a short number or in line with its neighbours');
  });

  it('lists both readings when a small integer beside a zero register reads as short as a float does', async () => {
    // 0x0145 0x0000 reads 2064 as BADC; 0x0000 0xac41 reads 21.5 as DCBA: one as likely as the other.
    const report = await probeLive('holding', 0, [0x0145, ...encodeRegisters('float32', 21.5, 'DCBA')], 'holding:0+3');
    expect(likelyByteOrder(report)).toBeUndefined();
    expect(formatProbe(report)).toContain('not enough evidence: registers 0-1 read 2064.0 as BADC; registers 1-2 read 21.5 as DCBA');
  });
});

describe('float text', () => {
  it('prints no float32 or float64 reading as plain digits, large ones in exponent form, in aligned columns', async () => {
    const words = [8607946000, -9.434478e18, 12352, 0].flatMap((v) => encodeRegisters('float32', v, 'ABCD'));
    const text = formatProbe(await probeLive('holding', 0, words, 'holding:0+8'), { all: true });
    const table32 = text.slice(text.indexOf('32-bit values'), text.indexOf('64-bit values')).trim().split('\n').slice(1);
    const at = table32[0]!.indexOf('float32');
    expect(table32.find((line) => line.startsWith('0 '))).toMatch(/ABCD\s+0x500044b5\s+\d+\s+\d+\s+8\.607946e\+9$/);
    expect(table32.find((line) => line.startsWith('2 '))).toMatch(/ABCD\s+0xdf02ee00\s+\d+\s+-\d+\s+-9\.434478e\+18$/);
    expect(table32.find((line) => line.startsWith('4 '))).toMatch(/ABCD\s+0x46410000\s+\d+\s+\d+\s+12352\.0 \*$/);
    const floatCells = (table: string[], column: number): string[] => table.slice(1).map((line) => line.slice(column).replace(/ \*$/, ''));
    for (const cell of floatCells(table32, at)) {
      // Starts right at the column (aligned) and has a point or an exponent (not an integer).
      expect(cell, 'a float32 cell').toMatch(/^(-?\d+\.\d+(e[-+]\d+)?|-?\d(\.\d+)?e[-+]\d+|NaN|-?Infinity)$/);
    }
    const table64 = text.slice(text.indexOf('64-bit values')).split('\n\n')[0]!.split('\n').slice(1);
    for (const cell of floatCells(table64, table64[0]!.indexOf('float64'))) {
      expect(cell, 'a float64 cell').toMatch(/^(-?\d+\.\d+(e[-+]\d+)?|-?\d(\.\d+)?e[-+]\d+|NaN|-?Infinity)$/);
    }
  });
});
