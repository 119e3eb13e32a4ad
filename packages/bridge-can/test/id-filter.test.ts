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
