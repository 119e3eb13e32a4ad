import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBridgeCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canBridge } from '../src/bridge.js';
import { createIdFilter } from '../src/frames/id-filter.js';
import { parseCandumpLine } from '../src/frames/candump-line.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

const track = trackCleanups();

function frame(line: string): CanFrame {
  const parsed = parseCandumpLine(`(1700000000.000000) can0 ${line}`);
  if (!parsed?.ok) throw new Error(`not a frame: ${line}`);
  return parsed.frame;
}

describe('id filters on frames that did not come through the kernel', () => {
  it('pass what the kernel passed in User-Mode Linux for the same filters and frames (socketcan-uml.test.ts)', () => {
    const accept = createIdFilter([{ id: 0x123 }, { id: 0x200, mask: 0x700 }, { id: 0x18fec1ee, extended: true }])!;
    const sent = ['124#00', '123#01', '0EE#02', '2AB#03', '18FEC1EF#04', '123#05', '18FEC1EE#06'].map(frame);
    expect(sent.filter(accept).map((f) => `${f.extended ? 'ext' : 'std'} ${f.id.toString(16)} ${Buffer.from(f.data).toString('hex').toUpperCase()}`)).toEqual([
      'std 123 01',
      'std 2ab 03',
      'std 123 05',
      'ext 18fec1ee 06',
    ]);
  });

  it('keep standard and extended ids apart, invert, let remote frames pass by id and error frames always', () => {
    const standard = createIdFilter([{ id: 0x0ee }])!;
    expect([standard(frame('0EE#00')), standard(frame('000000EE#00')), standard(frame('0EE#R'))]).toEqual([true, false, true]);
    // A mask of 0: every id of its width, none of the other.
    const anyExtended = createIdFilter([{ id: 0, mask: 0, extended: true }])!;
    expect([anyExtended(frame('0EE#00')), anyExtended(frame('18FEF100#00'))]).toEqual([false, true]);
    const allBut = createIdFilter([{ id: 0x123, invert: true }])!;
    expect([allBut(frame('123#00')), allBut(frame('124#00')), allBut(frame('00000123#00'))]).toEqual([false, true, true]);
    expect(standard(frame('20000080#0000000000000000'))).toBe(true);
    expect(createIdFilter([])).toBeUndefined();
  });

  it('apply to a log as to a bus: a run reads, and --scan and --check count as read, only the ids passing them', async () => {
    const dir = await track.tempDir('bridge-can-filters-');
    const log = join(dir, 'bus.log');
    // EngineData (0x0C8), WheelSpeeds (0x1F0), Transmission (0x2A0).
    await writeFile(log, ['0C8#401F000000000000', '1F0#0000000000000000', '2A0#0100000000000000', '2A0#0100000000000000'].map((l, i) => `(1700000000.0${i}0000) can0 ${l}`).join('\n') + '\n');
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: filters\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  filters: [{ id: 0x2A0 }]\n`);

    const ran = await runBridgeCommand(canBridge, ['--config', file, '--dry-run', '--log-level', 'info']);
    expect(ran.code, ran.err).toBe(0);
    const metrics = new Set(ran.out.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { metric: string }).metric.split('.')[0]));
    expect([...metrics]).toEqual(['Transmission']);
    expect(ran.err).toContain(`${log} replayed to its end: 2 frames from 4 lines, 2 frames filtered out (filters)`);

    const scanned = await runBridgeCommand(canBridge, ['--config', file, '--scan', '--log-level', 'silent']);
    expect(scanned.code, scanned.err).toBe(0);
    expect(scanned.out.split('\n').filter((l) => l.startsWith('0x')).map((l) => l.split(/ {2,}/).at(-1))).toEqual(['filtered out', 'filtered out', 'read']);
    expect(scanned.out).toContain('3 ids: 3 defined in the DBC files (100% of the frames), 1 of them read by this mapping; 0 with no DBC entry (0% of the frames).\n');
    expect(scanned.out).toContain("2 ids (50% of the frames) do not pass the mapping's filters: a run never reads them.\n");

    const checked = await runBridgeCommand(canBridge, ['--config', file, '--check', '--log-level', 'silent']);
    expect(checked.out).toContain('EngineData 0x0C8 every 10 ms (its id does not pass the filters: never read): ');
    expect(checked.out).toContain('  Transmission 0x2A0 every 50 ms: ');
  });
});

describe('id filters and J1939 messages longer than a frame', () => {
  // A J1939 DBC: Trip (PGN 0xFEDE, 20 bytes) travels in the transport protocol, Speed (PGN 0xFEF1) in one frame.
  const DBC = [
    'VERSION ""',
    'BU_: ECU',
    'BO_ 2566840062 Trip: 20 ECU',
    ' SG_ First : 0|8@1+ (1,0) [0|255] "" Vector__XXX',
    ' SG_ Last : 152|8@1+ (1,0) [0|255] "" Vector__XXX',
    'BO_ 2566844926 Speed: 8 ECU',
    ' SG_ Kmh : 8|16@1+ (0.00390625,0) [0|250] "km/h" Vector__XXX',
    'BA_DEF_ "ProtocolType" STRING ;',
    'BA_ "ProtocolType" "J1939";',
    '',
  ].join('\n');
  // J1939-21 by hand: a BAM from 0x00 (TP.CM 0x1CECFF00: 32, 20 bytes, 3 packets, PGN 0xFEDE), then three TP.DT 0x1CEBFF00.
  const LINES = ['1CECFF00#201400 03FFDEFE00', '1CEBFF00#010102030405 0607', '1CEBFF00#02 08090A0B0C0D0E', '1CEBFF00#03 0F101112 131415', '18FEF100#0000500000000000'];

  async function mapping(messages: string): Promise<string> {
    const dir = await track.tempDir('bridge-can-tp-filters-');
    const log = join(dir, 'truck.log');
    await writeFile(log, LINES.map((l, i) => `(1700000000.${String(i * 50).padStart(3, '0')}000) can0 ${l.replaceAll(' ', '')}`).join('\n') + '\n');
    await writeFile(join(dir, 'truck.dbc'), DBC);
    const file = join(dir, 'map.yaml');
    // The filter a user writes for the PGNs read, from any sender: the transport frames' ids do not pass it.
    await writeFile(file, `source_id: tp\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${join(dir, 'truck.dbc')}\n  messages: ${messages}\n  filters:\n    - { id: 0x18FEDE00, mask: 0x3FFFF00, extended: true }\n    - { id: 0x18FEF100, mask: 0x3FFFF00, extended: true }\n`);
    return file;
  }

  it('let the transport frames of a message the mapping reads pass, so that it is reassembled and read', async () => {
    const file = await mapping('[Trip, Speed]');
    const ran = await runBridgeCommand(canBridge, ['--config', file, '--dry-run', '--log-level', 'info']);
    expect(ran.code, ran.err).toBe(0);
    const points = ran.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { metric: string; value: number; timestamp: number });
    expect(points.map((p) => [p.metric, p.value, p.timestamp])).toEqual([
      ['Trip.First', 1, 1700000000150],
      ['Trip.Last', 20, 1700000000150],
      ['Speed.Kmh', 80, 1700000000200],
    ]);
    const checked = await runBridgeCommand(canBridge, ['--config', file, '--check', '--log-level', 'silent']);
    expect(checked.out).toContain('J1939 transport frames (TP.CM, TP.DT) pass the id filters too: they carry what is longer than a frame (Trip)\n');
    const scanned = await runBridgeCommand(canBridge, ['--config', file, '--scan', '--log-level', 'silent']);
    expect(scanned.out).not.toContain('filtered out');
  });

  it('let the transport frames pass for j1939_dm1, so that a DM1 with several faults is read', async () => {
    const dir = await track.tempDir('bridge-can-tp-dm1-');
    const log = join(dir, 'dm1.log');
    // By hand (J1939-73): a BAM from 0x00 of DM1 (PGN 0xFECA), 10 bytes: lamps 04 00 (amber on),
    // SPN 110 FMI 0 (6E 00 00 01) and SPN 190 FMI 2 (BE 00 02 03).
    await writeFile(log, ['1CECFF00#200A0002FFCAFE00', '1CEBFF00#0104006E000001BE', '1CEBFF00#02000203FFFFFFFF'].map((l, i) => `(1700000000.${String(i * 50).padStart(3, '0')}000) can0 ${l}`).join('\n') + '\n');
    await writeFile(join(dir, 'truck.dbc'), DBC);
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: tp\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${join(dir, 'truck.dbc')}\n  messages: [Speed]\n  j1939_dm1: true\n  filters:\n    - { id: 0x18FECA00, mask: 0x3FFFF00, extended: true }\n    - { id: 0x18FEF100, mask: 0x3FFFF00, extended: true }\n`);
    const ran = await runBridgeCommand(canBridge, ['--config', file, '--dry-run', '--log-level', 'info']);
    expect(ran.code, ran.err).toBe(0);
    const points = ran.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { metric: string; value: unknown });
    expect(points.filter((p) => p.metric === 'dm1.active_faults' || p.metric === 'dm1.fault').map((p) => [p.metric, p.value])).toEqual([
      ['dm1.active_faults', 2],
      ['dm1.fault', 'SPN 110 FMI 0 active, 1 occurrence'],
      ['dm1.fault', 'SPN 190 FMI 2 active, 3 occurrences'],
    ]);
  });

  it('keep stopping the transport frames when the mapping reads nothing longer than a frame', async () => {
    const file = await mapping('[Speed]');
    const ran = await runBridgeCommand(canBridge, ['--config', file, '--dry-run', '--log-level', 'info']);
    expect(ran.code, ran.err).toBe(0);
    expect(ran.out.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { metric: string }).metric)).toEqual(['Speed.Kmh']);
    expect(ran.err).toContain('1 frame from 5 lines, 4 frames filtered out (filters)');
    const checked = await runBridgeCommand(canBridge, ['--config', file, '--check', '--log-level', 'silent']);
    expect(checked.out).not.toContain('J1939 transport frames');
  });
});
