import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { createCanSource } from '../src/source.js';
import { BODY, j1939Dbc, VEHICLE_ID } from './helpers/j1939-dbc.js';

const VEHICLE_ID_DBC = j1939Dbc(VEHICLE_ID, BODY);

const track = trackCleanups();

/**
 * Two buses in one log, whose ECUs use the same J1939 addresses (two identical engines at
 * address 0, a truck's and a trailer's bus): each bus's transport sessions, trouble codes and
 * change filters are its own. Frames laid out by hand from J1939-21 and J1939-73.
 */

// A frame on bus `on` (0 or 1) at `ms`: a 29-bit id and its bytes in hex.
interface Frame { on: 0 | 1; id: number; bytes: string; ms: number }

// A BAM (TP.CM to all, control 32) of PGN 0xFEEC from address 0: 20 bytes in 3 packets.
const cm = (on: 0 | 1, ms: number): Frame => ({ on, id: 0x18ecff00, bytes: '20140003ffecfe00', ms });
const dt = (on: 0 | 1, packet: string, ms: number): Frame => ({ on, id: 0x18ebff00, bytes: packet, ms });
// Bus 0's message: bytes 200, 197, ... (200 - 3 i); bus 1's: 0x0A to 0x1D. Each packet: its number, 7 bytes (the last padded with FF).
const A = ['01c8c5c2bfbcb9b6', '02b3b0adaaa7a4a1', '039e9b9895928fff'];
const B = ['010a0b0c0d0e0f10', '0211121314151617', '0318191a1b1c1dff'];
// VehicleId's Head is byte 0; Tail bytes 18-19, little-endian: 146 + 143 * 256 on bus 0, 0x1C + 0x1D * 256 on bus 1.
const HEAD = [200, 0x0a];
const TAIL = [146 + 143 * 256, 0x1c + 0x1d * 256];

/** Both buses send their BAM at the same moment from address 0, every second, packet by packet in turn. */
function interleavedBams(cycles: number): Frame[] {
  const frames: Frame[] = [];
  for (let c = 0; c < cycles; c++) {
    const t = c * 1000;
    frames.push(cm(0, t), cm(1, t + 1));
    for (let i = 0; i < 3; i++) frames.push(dt(0, A[i]!, t + 50 * (i + 1)), dt(1, B[i]!, t + 50 * (i + 1) + 1));
  }
  return frames;
}

const hex = (id: number): string => id.toString(16).toUpperCase().padStart(8, '0');
const candumpLog = (frames: Frame[]): string =>
  frames.map((f) => `(${(1_700_000_000 + f.ms / 1000).toFixed(6)}) can${f.on} ${hex(f.id)}#${f.bytes.toUpperCase()}`).join('\n') + '\n';
// Vector ASC: channels 1 and 2, absolute times after the date line.
const ascLog = (frames: Frame[]): string =>
  [
    'date Wed Nov 15 02:13:20.000 pm 2023',
    'base hex  timestamps absolute',
    'internal events logged',
    'Begin Triggerblock Wed Nov 15 02:13:20.000 pm 2023',
    ...frames.map((f) => `${(f.ms / 1000 + 1).toFixed(6).padStart(11)} ${f.on + 1}  ${hex(f.id)}x       Rx   d 8 ${f.bytes.toUpperCase().match(/../g)!.join(' ')}`),
    'End TriggerBlock',
  ].join('\n') + '\n';

async function replay(file: string, text: string, section: Record<string, unknown>): Promise<ReturnType<typeof createTestContext>> {
  const dir = await track.tempDir('bridge-can-buses-');
  await writeFile(join(dir, file), text);
  await writeFile(join(dir, 'transport.dbc'), VEHICLE_ID_DBC);
  const t = createTestContext({ bridge: 'can' });
  track.defer(() => t.abort.abort());
  const config = canConfigSchema.parse({ interface: `file:${join(dir, file)}`, dbc: join(dir, 'transport.dbc'), bus: 'trucks', replay: { time_zone: 'UTC' }, ...section });
  const bridge = track.add(createCanSource(config, t.ctx), (b) => b.stop());
  await bridge.start();
  await bridge.ended;
  return t;
}

const transportWarnings = (t: ReturnType<typeof createTestContext>): string[] => t.logs.messages('warn').filter((m) => m.includes('J1939') || m.includes('PGN'));

describe('J1939 on two buses in one log, the same addresses on both', () => {
  for (const [format, file, text, names] of [
    ['candump -L', 'two-buses.log', candumpLog, ['can0', 'can1']],
    ['Vector ASC', 'two-buses.asc', ascLog, ['1', '2']],
  ] as const) {
    it(`reassembles each bus's BAM from address 0 apart, its points tagged with their interface (${format})`, async () => {
      const t = await replay(file, text(interleavedBams(2)), { signal_tags: ['interface'] });
      const cycle = [0, 1].flatMap((bus) => [
        ['VehicleId.Head', HEAD[bus], { interface: names[bus] }],
        ['VehicleId.Tail', TAIL[bus], { interface: names[bus] }],
      ]);
      expect(t.points.map((p) => [p.metric, p.value, p.tags])).toEqual([...cycle, ...cycle]);
      expect(transportWarnings(t)).toEqual([]);
      expect(await t.metric('fieldbridge_source_errors_total', { channel: 'trucks', kind: 'j1939_transport' })).toBe(0);
    });
  }

  it('drops only the message of the bus that lost a packet, and names that bus', async () => {
    // Bus 1 loses its packet 2 in the first cycle; bus 0's messages are whole.
    const frames = interleavedBams(2).filter((f) => !(f.on === 1 && f.ms === 101));
    const t = await replay('two-buses.log', candumpLog(frames), { signal_tags: ['interface'] });
    expect(t.points.map((p) => [p.metric, p.value, p.tags?.interface])).toEqual([
      ['VehicleId.Head', HEAD[0], 'can0'], ['VehicleId.Tail', TAIL[0], 'can0'],
      ['VehicleId.Head', HEAD[0], 'can0'], ['VehicleId.Tail', TAIL[0], 'can0'],
      ['VehicleId.Head', HEAD[1], 'can1'], ['VehicleId.Tail', TAIL[1], 'can1'],
    ]);
    expect(transportWarnings(t)).toEqual([
      'trucks: PGN 0xFEEC from 0 to all on can1: packet 3 of 3 came after packet 1, so packet 2 was lost; the message is dropped; counted (fieldbridge_source_errors_total{kind="j1939_transport"}) (further occurrences are counted, not logged, until it recovers)',
    ]);
  });

  it('keeps a short frame on one bus an open problem, though the other bus sends the same id whole in between', async () => {
    // Body (0x123) is 8 bytes; bus 0 sends 4 (its Lamp, byte 7, missing), bus 1 all 8 (Lamp 0x2A), every second.
    const frames = [0, 1, 2].flatMap((c) => [`(${1_700_000_000 + c}.000000) can0 123#01020304`, `(${1_700_000_000 + c}.000001) can1 123#010203040506072A`]);
    const dir = await track.tempDir('bridge-can-buses-');
    await writeFile(join(dir, 'body.log'), `${frames.join('\n')}\n`);
    await writeFile(join(dir, 'body.dbc'), VEHICLE_ID_DBC);
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const bridge = track.add(createCanSource(canConfigSchema.parse({ interface: `file:${join(dir, 'body.log')}`, dbc: join(dir, 'body.dbc'), bus: 'trucks', signal_tags: ['interface'] }), t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    expect(t.points.map((p) => [p.metric, p.value, p.tags?.interface])).toEqual([0, 1, 2].map(() => ['Body.Lamp', 42, 'can1']));
    // Bus 1's whole frames do not end bus 0's episode: it never recovers.
    expect(t.logs.messages().filter((m) => m.includes('clean again'))).toEqual([]);
    expect(t.logs.messages('warn').filter((m) => m.includes('Body:'))).toEqual(['trucks: Body: the frame has 4 of 8 bytes; 1 signal not decoded (Lamp) (further occurrences are counted, not logged, until it recovers)']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'trucks', kind: 'short_frame' })).toBe(3);
  });

  it('tags forwarded frames of ids no DBC defines with their interface too, each bus its own series', async () => {
    // 0x7E8 is in no DBC file: forwarded as events (payload in hex), from both buses, on_change per bus.
    const frames = [0, 1].flatMap((c) => [`(${1_700_000_000 + c}.000000) can0 7E8#0102`, `(${1_700_000_000 + c}.000001) can1 7E8#0A0B`]);
    const t = await replay('unknown.log', `${frames.join('\n')}\n`, { signal_tags: ['interface'], unknown_frames: { forward: true, on_change: true } });
    expect(t.points.map((p) => [p.metric, p.value, p.tags])).toEqual([
      ['can.unknown.0x7E8', '0102', { interface: 'can0' }],
      ['can.unknown.0x7E8', '0A0B', { interface: 'can1' }],
    ]);
  });

  it("holds back a bus's unchanged values by its own last value (on_change), not the other bus's", async () => {
    const t = await replay('two-buses.log', candumpLog(interleavedBams(3)), { signal_tags: ['interface'], on_change: true });
    // Each bus's values never change: sent once per bus, then held back.
    expect(t.points.map((p) => [p.metric, p.value, p.tags?.interface])).toEqual([
      ['VehicleId.Head', HEAD[0], 'can0'], ['VehicleId.Tail', TAIL[0], 'can0'],
      ['VehicleId.Head', HEAD[1], 'can1'], ['VehicleId.Tail', TAIL[1], 'can1'],
    ]);
  });

  it("keeps each bus's DM1 trouble codes apart: a fault on one bus is not cleared by the other's DM1 from the same address", async () => {
    // DM1 (PGN 0xFECA) from address 0, single frame: bus 0 has SPN 110 FMI 0 (bytes 6E 00 00, amber lamp on: 0x04), 5 occurrences;
    // bus 1 none (a "no fault" entry of zeros). Each every second.
    const frames: Frame[] = [];
    for (let c = 0; c < 3; c++) frames.push({ on: 0, id: 0x18feca00, bytes: '04ff6e000005ffff', ms: c * 1000 }, { on: 1, id: 0x18feca00, bytes: '00ff00000000ffff', ms: c * 1000 + 1 });
    const t = await replay('dm1.log', candumpLog(frames), { signal_tags: ['interface'], j1939_dm1: true, messages: ['VehicleId'] });
    const faults = t.points.filter((p) => p.metric === 'dm1.fault');
    expect(faults.map((p) => [p.value, p.tags])).toEqual([['SPN 110 FMI 0 active, 5 occurrences', { source_address: '0', interface: 'can0', spn: '110', fmi: '0' }]]);
    expect(t.points.filter((p) => p.metric === 'dm1.active_faults').map((p) => [p.value, p.tags?.interface])).toEqual([
      [1, 'can0'], [0, 'can1'], [1, 'can0'], [0, 'can1'], [1, 'can0'], [0, 'can1'],
    ]);
  });
});
