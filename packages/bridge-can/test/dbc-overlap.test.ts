import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBridgeCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canBridge } from '../src/bridge.js';
import { formatDbcProblem, parseDbc } from '../src/index.js';

const header = 'VERSION ""\n\nBU_: A B\n\n';
const track = trackCleanups();

/** The overlaps a DBC text is reported to have: [earlier signal, later signal, shared bits]. */
function overlaps(text: string): [string, string, string][] {
  const { problems } = parseDbc(`${header}${text}`, { file: 'o.dbc' });
  expect(problems.filter((p) => p.kind !== 'overlapping_signals')).toEqual([]);
  return problems.map((p) => {
    const m = /^signals (\S+) \(.*?\) and (\S+) \(.*?\) of \S+ overlap at (.*?)(?: \(and|, so )/.exec(p.message);
    return [m?.[1] ?? p.message, m?.[2] ?? '', m?.[3] ?? ''];
  });
}

describe('overlapping DBC signals', () => {
  it('reports two little-endian signals sharing bits at the later one, naming the message, both signals, their layouts and the bits', () => {
    const { database, problems } = parseDbc(`${header}BO_ 200 Engine: 8 A\n SG_ Speed : 0|16@1+ (0.25,0) [0|0] "rpm" B\n SG_ Throttle : 12|8@1+ (0.4,0) [0|0] "%" B\n SG_ Temp : 24|8@1+ (1,-40) [0|0] "" B\n`, { file: 'o.dbc' });
    expect(problems.map(formatDbcProblem)).toEqual([
      'o.dbc:7:2: signals Speed (0|16@1+, line 6) and Throttle (12|8@1+) of Engine overlap at byte 1 bits 4-7, so at least one of them reads wrong values: a DBC error; fix their start bits and lengths in the DBC (both are decoded as written)',
    ]);
    expect(problems[0]).toMatchObject({ kind: 'overlapping_signals' });
    expect(problems[0]!.dropped).toBeUndefined();
    // Both are still decoded as the file says.
    expect(database.messages[0]!.signals.map((s) => s.name)).toEqual(['Speed', 'Throttle', 'Temp']);
  });

  it('reads big-endian (Motorola) signals by the bits they hold, not by start bit and length', () => {
    // Rate: byte 2 and bits 7-4 of byte 3; Counter: bits 3-0 of byte 3. Start bit plus length
    // (23..34 and 27..30) would call them overlapping; they are not (the example vehicle's steering).
    expect(overlaps('BO_ 37 Steering: 8 A\n SG_ Angle : 7|16@0- (0.1,0) [0|0] "" B\n SG_ Rate : 23|12@0- (1,0) [0|0] "" B\n SG_ Counter : 27|4@0+ (1,0) [0|0] "" B\n')).toEqual([]);
    // Angle holds bytes 0 and 1 (bit 7 of byte 0 down, then byte 1): an Intel byte 1 overlaps it,
    // and so does a Motorola nibble at bits 3-0 of byte 0, which start bit arithmetic (3..6 after 7..22) would miss.
    expect(overlaps('BO_ 37 Steering: 8 A\n SG_ Angle : 7|16@0- (0.1,0) [0|0] "" B\n SG_ Low : 8|8@1+ (1,0) [0|0] "" B\n SG_ Nib : 3|4@0+ (1,0) [0|0] "" B\n SG_ Free : 16|8@1+ (1,0) [0|0] "" B\n')).toEqual([
      ['Angle', 'Low', 'byte 1'],
      ['Angle', 'Nib', 'byte 0 bits 0-3'],
    ]);
  });

  it('lets signals of different multiplexor values share bits, never the multiplexor, nor a signal present in every frame', () => {
    // V (page 0) and T (page 1) share byte 1: never in one frame.
    expect(overlaps('BO_ 1000 Battery: 8 A\n SG_ Mux M : 0|8@1+ (1,0) [0|0] "" B\n SG_ V m0 : 8|16@1+ (1,0) [0|0] "" B\n SG_ T m1 : 8|8@1+ (1,0) [0|0] "" B\n')).toEqual([]);
    expect(
      overlaps(
        'BO_ 1000 Battery: 8 A\n SG_ Mux M : 0|8@1+ (1,0) [0|0] "" B\n SG_ Bad m1 : 4|8@1+ (1,0) [0|0] "" B\n SG_ Always : 32|8@1+ (1,0) [0|0] "" B\n SG_ Clash m0 : 36|4@1+ (1,0) [0|0] "" B\n SG_ Same m0 : 16|8@1+ (1,0) [0|0] "" B\n SG_ Twin m0 : 20|4@1+ (1,0) [0|0] "" B\n',
      ),
    ).toEqual([
      ['Mux', 'Bad', 'byte 0 bits 4-7'],
      ['Always', 'Clash', 'byte 4 bits 4-7'],
      ['Same', 'Twin', 'byte 2 bits 4-7'],
    ]);
  });

  it('follows extended multiplexing: value ranges that meet overlap, nested pages under different top values do not', () => {
    const text =
      'BO_ 1 Ext: 8 A\n SG_ S M : 0|8@1+ (1,0) [0|0] "" B\n SG_ T m1M : 8|8@1+ (1,0) [0|0] "" B\n SG_ U m3 : 16|8@1+ (1,0) [0|0] "" B\n SG_ V m2 : 16|8@1+ (1,0) [0|0] "" B\n' +
      ' SG_ W m5 : 16|4@1+ (1,0) [0|0] "" B\n SG_ X m6 : 24|8@1+ (1,0) [0|0] "" B\n SG_ Y m7 : 24|8@1+ (1,0) [0|0] "" B\n\n' +
      // U: S = 1, T in 3-4 or 7-9. V: S = 2. W: S = 1, T in 9-12 (meets U at 9). X: S = 1, T = 5. Y: S = 1, T in 5-6 (meets X at 5).
      'SG_MUL_VAL_ 1 T S 1-1;\nSG_MUL_VAL_ 1 U T 3-4, 7-9;\nSG_MUL_VAL_ 1 W T 9-12;\nSG_MUL_VAL_ 1 X T 5-5;\nSG_MUL_VAL_ 1 Y T 5-6;\n';
    expect(overlaps(text)).toEqual([
      ['U', 'W', 'byte 2 bits 0-3'],
      ['X', 'Y', 'byte 3'],
    ]);
  });

  it('says how many other signals one overlaps, in one problem', () => {
    expect(overlaps('BO_ 2 Wide: 8 A\n SG_ A : 0|8@1+ (1,0) [0|0] "" B\n SG_ B : 8|8@1+ (1,0) [0|0] "" B\n SG_ C : 16|8@1+ (1,0) [0|0] "" B\n SG_ All : 0|32@1+ (1,0) [0|0] "" B\n')).toEqual([['A', 'All', 'byte 0']]);
    const { problems } = parseDbc(`${header}BO_ 2 Wide: 8 A\n SG_ A : 0|8@1+ (1,0) [0|0] "" B\n SG_ B : 8|8@1+ (1,0) [0|0] "" B\n SG_ C : 16|8@1+ (1,0) [0|0] "" B\n SG_ All : 0|32@1+ (1,0) [0|0] "" B\n`);
    expect(problems[0]!.message).toContain('overlap at byte 0 (and 2 other signals: B, C), so');
  });

  it('is listed by --check of a mapping naming the DBC, and logged when a run loads it', async () => {
    const dir = await track.tempDir('bridge-can-overlap-');
    const dbc = join(dir, 'car.dbc');
    await writeFile(dbc, `${header}BO_ 496 Wheels: 8 A\n SG_ FL : 7|16@0+ (0.01,0) [0|0] "km/h" B\n SG_ FR : 15|8@0+ (0.01,0) [0|0] "km/h" B\n`);
    const log = join(dir, 'bus.log');
    await writeFile(log, '(1700000000.000000) can0 1F0#0102000000000000\n');
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: overlap\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${dbc}\n`);
    const problem = `${dbc}:7:2: signals FL (7|16@0+, line 6) and FR (15|8@0+) of Wheels overlap at byte 1, so at least one of them reads wrong values: a DBC error; fix their start bits and lengths in the DBC (both are decoded as written)`;
    const checked = await runBridgeCommand(canBridge, ['--config', file, '--check', '--log-level', 'silent']);
    expect(checked.code, checked.err).toBe(0);
    expect(checked.out).toContain(`  DBC problems (a run reports them and goes on without what they drop):\n    ${problem}\n`);
    const ran = await runBridgeCommand(canBridge, ['--config', file, '--dry-run', '--log-level', 'warn']);
    expect(ran.code, ran.err).toBe(0);
    expect(ran.err).toContain(`DBC: ${problem}`);
    expect(ran.out).toContain('"metric":"Wheels.FL","value":2.58');
  });
});
