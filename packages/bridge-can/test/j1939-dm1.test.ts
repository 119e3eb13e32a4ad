import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { Dm1Points, parseDm1 } from '../src/frames/j1939-dm1.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

const track = trackCleanups();
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

// DM1 bytes laid out by hand from J1939-73. Byte 0 0x44 = 01 00 01 00: malfunction lamp on, red
// stop off, amber warning on, protect off. SPN 110 (coolant temperature) FMI 0, 5 occurrences.
const ONE_FAULT = '44 FF 6E 00 00 05 FF FF';
// Two faults: SPN 110 FMI 0 as above, and SPN 0x5ABCD = 371661 (19 bits: CD, AB, then 101 in the
// top of byte 4) FMI 31, conversion method 1, 3 occurrences.
const TWO_FAULTS = '44 FF 6E 00 00 05 CD AB BF 83';

describe('J1939 DM1', () => {
  it('reads the lamps and every fault, a 19-bit SPN included, and no fault in an all-zero or all-ones entry', () => {
    expect(parseDm1(bytes(ONE_FAULT))).toEqual({ lamps: { malfunction: 1, redStop: 0, amberWarning: 1, protect: 0 }, dtcs: [{ spn: 110, fmi: 0, occurrences: 5, oldConversion: false }] });
    expect(parseDm1(bytes(TWO_FAULTS))).toMatchObject({ dtcs: [{ spn: 110 }, { spn: 371661, fmi: 31, occurrences: 3, oldConversion: true }] });
    expect(parseDm1(bytes('00 FF 00 00 00 00 FF FF'))).toEqual({ lamps: { malfunction: 0, redStop: 0, amberWarning: 0, protect: 0 }, dtcs: [] });
    // 11 is "not available": no lamp value at all.
    expect(parseDm1(bytes('FF FF FF FF FF FF FF FF'))).toEqual({ lamps: {}, dtcs: [] });
    expect(parseDm1(bytes('44 FF 6E 00'))).toBe('DM1 of 4 bytes: at least 6 expected (lamps, flash status, one DTC)');
  });

  it('random bytes never throw', () => {
    const random = seededRandom(12);
    for (let i = 0; i < 5000; i++) {
      const result = parseDm1(Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
      if (typeof result !== 'string') for (const d of result.dtcs) expect(d.spn).toBeLessThan(2 ** 19);
    }
  });

  it('gives lamps and the fault count every time, and an event when a fault becomes active or clears, per ECU', () => {
    const dm1 = new Dm1Points({ vehicle: 'truck-17' });
    const parse = (hex: string) => parseDm1(bytes(hex)) as Exclude<ReturnType<typeof parseDm1>, string>;
    const events = (points: ReturnType<Dm1Points['points']>) => points.filter((p) => p.class === 'event').map((p) => [p.value, p.tags?.spn, p.tags?.source_address]);
    const first = dm1.points(0, parse(ONE_FAULT), 1000);
    expect(first.filter((p) => p.class === 'metric').map((p) => [p.metric, p.value])).toEqual([
      ['dm1.malfunction_lamp', 1],
      ['dm1.red_stop_lamp', 0],
      ['dm1.amber_warning_lamp', 1],
      ['dm1.protect_lamp', 0],
      ['dm1.active_faults', 1],
    ]);
    expect(first[0]?.tags).toEqual({ vehicle: 'truck-17', source_address: '0' });
    expect(events(first)).toEqual([['SPN 110 FMI 0 active, 5 occurrences', '110', '0']]);
    expect(events(dm1.points(0, parse(ONE_FAULT), 2000))).toEqual([]);
    expect(events(dm1.points(0, parse(TWO_FAULTS), 3000))).toEqual([['SPN 371661 FMI 31 active, 3 occurrences (SPN by an old conversion method)', '371661', '0']]);
    // Another ECU's faults are its own.
    expect(events(dm1.points(3, parse(ONE_FAULT), 3500))).toEqual([['SPN 110 FMI 0 active, 5 occurrences', '110', '3']]);
    expect(events(dm1.points(0, parse('00 FF 00 00 00 00 FF FF'), 4000))).toEqual([
      ['SPN 110 FMI 0 no longer active', '110', '0'],
      ['SPN 371661 FMI 31 no longer active', '371661', '0'],
    ]);
  });

  it('bridge-can with j1939_dm1 reads single-frame DM1s and those the transport protocol carries, with no DBC entry for them', async () => {
    const dir = await track.tempDir('bridge-can-dm1-');
    const log = join(dir, 'truck.log');
    // SA 0x00 (engine) sends one fault in one frame; SA 0x03 (transmission) two by BAM: 10 bytes in 2 packets.
    const two = Buffer.from(TWO_FAULTS.replace(/ /g, ''), 'hex');
    await writeFile(
      log,
      [
        `(1700000000.000000) can0 18FECA00#${ONE_FAULT.replace(/ /g, '')}`,
        '(1700000000.100000) can0 1CECFF03#200A0002FFCAFE00',
        `(1700000000.150000) can0 1CEBFF03#01${two.subarray(0, 7).toString('hex')}`,
        `(1700000000.200000) can0 1CEBFF03#02${two.subarray(7).toString('hex')}FFFFFFFF`,
      ].join('\n') + '\n',
    );
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const section = canConfigSchema.parse({ interface: `file:${log}`, dbc: VEHICLE_DBC_PATH, bus: 'truck', j1939_dm1: true });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    const faults = t.points.filter((p) => p.metric === 'dm1.fault').map((p) => [p.tags?.source_address, p.value, p.timestamp]);
    expect(faults).toEqual([
      ['0', 'SPN 110 FMI 0 active, 5 occurrences', 1_700_000_000_000],
      ['3', 'SPN 110 FMI 0 active, 5 occurrences', 1_700_000_000_200],
      ['3', 'SPN 371661 FMI 31 active, 3 occurrences (SPN by an old conversion method)', 1_700_000_000_200],
    ]);
    expect(t.points.filter((p) => p.metric === 'dm1.active_faults').map((p) => [p.tags?.source_address, p.value])).toEqual([
      ['0', 1],
      ['3', 2],
    ]);
    // Nothing is an unknown id: the DM1 is read, its transport frames are the transport's.
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'truck', outcome: 'transport' })).toBe(3);
  });

  it('is off unless asked for: a DM1 without a DBC entry is then an unknown id', async () => {
    const dir = await track.tempDir('bridge-can-dm1-');
    const log = join(dir, 'truck.log');
    await writeFile(log, `(1700000000.000000) can0 18FECA00#${ONE_FAULT.replace(/ /g, '')}\n`);
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const bridge = track.add(createCanSource(canConfigSchema.parse({ interface: `file:${log}`, dbc: VEHICLE_DBC_PATH, bus: 'truck' }), t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    expect(t.points).toEqual([]);
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'truck', outcome: 'unknown' })).toBe(1);
  });
});
