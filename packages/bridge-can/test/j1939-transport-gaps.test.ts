import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { J1939Transport, type TransportOutcome } from '../src/frames/j1939-transport.js';
import { createCanSource } from '../src/source.js';
import { j1939Dbc, VEHICLE_ID } from './helpers/j1939-dbc.js';

const VEHICLE_ID_DBC = j1939Dbc(VEHICLE_ID);

const track = trackCleanups();

/** A 29-bit frame at `ms` with `bytes` (hex). */
const frame = (id: number, bytes: string, ms: number): CanFrame => ({ id, extended: true, fd: false, data: Uint8Array.from(Buffer.from(bytes, 'hex')), timestampMs: ms, timestampSource: 'log' });

// J1939-21 layouts, written out by hand. A BAM (TP.CM to all, control 32) of PGN 0xFEEC: 20 bytes in 3 packets.
const cm = (sa: number, ms: number): CanFrame => frame(0x18ecff00 + sa, '20140003ffecfe00', ms);
// Message A: bytes 200, 197, ... (200 - 3 i); message B: bytes 0x0A to 0x1D. Each packet: its number, 7 bytes (the last padded with FF).
const A = ['01c8c5c2bfbcb9b6', '02b3b0adaaa7a4a1', '039e9b9895928fff'];
const B = ['010a0b0c0d0e0f10', '0211121314151617', '0318191a1b1c1dff'];
const dt = (sa: number, packet: string, ms: number): CanFrame => frame(0x18ebff00 + sa, packet, ms);

/** What each frame meant, in order. */
const feed = (tp: J1939Transport, frames: CanFrame[]): (TransportOutcome | undefined)[] => frames.map((f) => tp.accept(f));
const messagesOf = (outcomes: (TransportOutcome | undefined)[]): number[][] => outcomes.flatMap((o) => (o?.message ? [[...o.message.data]] : []));
const problemsOf = (outcomes: (TransportOutcome | undefined)[]): string[] => outcomes.flatMap((o) => o?.problems?.map((p) => p.message) ?? []);

describe('J1939 transport: packets lost', () => {
  it('drops a BAM message at the first gap in its packet numbers, never completing it with the packets of the next one', () => {
    const tp = new J1939Transport(() => true);
    // A's packet 2 is lost; B follows 350 ms later, its TP.CM lost too: its packets 1 and 2 would fill A's slots.
    const outcomes = feed(tp, [cm(0x81, 0), dt(0x81, A[0]!, 50), dt(0x81, A[2]!, 150), dt(0x81, B[0]!, 500), dt(0x81, B[1]!, 550), dt(0x81, B[2]!, 600)]);
    expect(messagesOf(outcomes)).toEqual([]);
    expect(problemsOf(outcomes)).toEqual(['PGN 0xFEEC from 129 to all: packet 3 of 3 came after packet 1, so packet 2 was lost; the message is dropped']);
    expect(outcomes[2]?.problems).toEqual([{ pgn: 0xfeec, sourceAddress: 0x81, destinationAddress: 0xff, message: expect.any(String) }]);
    // The next whole message is read as it was sent.
    expect(messagesOf(feed(tp, [cm(0x81, 1000), ...B.map((p, i) => dt(0x81, p, 1050 + 50 * i))]))).toEqual([Array.from({ length: 20 }, (_, i) => 0x0a + i)]);
  });

  it("drops a BAM message whose next packet comes more than 750 ms (J1939-21's T1) after the last, in the log's own time", () => {
    const tp = new J1939Transport(() => true);
    const late = feed(tp, [cm(0x81, 0), dt(0x81, A[0]!, 50), dt(0x81, A[1]!, 851), dt(0x81, A[2]!, 900)]);
    expect(messagesOf(late)).toEqual([]);
    expect(problemsOf(late)).toEqual(["PGN 0xFEEC from 129 to all: nothing for 801 ms after 1 of 3 packets (J1939-21's T1 allows 750 ms between a BAM's packets); the message is dropped"]);
    // 750 ms is still in time.
    const inTime = feed(tp, [cm(0x81, 2000), dt(0x81, A[0]!, 2050), dt(0x81, A[1]!, 2800), dt(0x81, A[2]!, 2850)]);
    expect(messagesOf(inTime)).toEqual([Array.from({ length: 20 }, (_, i) => 200 - 3 * i)]);
    expect(problemsOf(inTime)).toEqual([]);
  });

  it('drops an RTS/CTS message with a gap, or one the receiver acknowledges or asks further for while a packet is missing here', () => {
    // RTS from 0x80 to 0x90: 15 bytes in 3 packets, PGN 0x12300; the receiver's CTS asks for 3 packets from packet 1.
    const rts = (ms: number, perCts = 'ff'): CanFrame => frame(0x18ec9080, `100f0003${perCts}002301`, ms);
    const cts = (count: number, next: number, ms: number): CanFrame => frame(0x18ec8090, `11${count.toString(16).padStart(2, '0')}${next.toString(16).padStart(2, '0')}ffff002301`, ms);
    const ack = (ms: number): CanFrame => frame(0x18ec8090, '130f0003ff002301', ms);
    const data = (packet: string, ms: number): CanFrame => frame(0x18eb9080, packet, ms);
    const D = ['0100010203040506', '020708090a0b0c0d', '030effffffffffff'];
    const tp = new J1939Transport(() => true);
    const gap = feed(tp, [rts(0), cts(3, 1, 1), data(D[0]!, 2), data(D[2]!, 4), ack(5)]);
    expect([messagesOf(gap), problemsOf(gap)]).toEqual([[], ['PGN 0x12300 from 128 to 144: packet 3 of 3 came after packet 1, so packet 2 was lost; the message is dropped']]);
    // One packet per CTS: packet 2 lost here, the receiver (which had it) asks for packet 3.
    const asked = feed(tp, [rts(10, '01'), cts(1, 1, 11), data(D[0]!, 12), cts(1, 2, 13), cts(1, 3, 15), data(D[2]!, 16)]);
    expect([messagesOf(asked), problemsOf(asked)]).toEqual([[], ['PGN 0x12300 from 128 to 144: the receiver asked for packet 3 while packet 2 of 3 had not arrived here; the message is dropped']]);
    // The last packet lost here: the receiver's EndOfMsgAck says the message is over.
    const acked = feed(tp, [rts(20), cts(3, 1, 21), data(D[0]!, 22), data(D[1]!, 23), ack(25)]);
    expect([messagesOf(acked), problemsOf(acked)]).toEqual([[], ['PGN 0x12300 from 128 to 144: the receiver acknowledged the whole message, but packet 3 of 3 never arrived here; the message is dropped']]);
    // Whole, with packet 2 asked for again by the receiver: read.
    const whole = feed(tp, [rts(30), cts(3, 1, 31), data(D[0]!, 32), data(D[1]!, 33), cts(2, 2, 34), data(D[1]!, 35), data(D[2]!, 36), ack(37)]);
    expect([messagesOf(whole), problemsOf(whole)]).toEqual([[Array.from({ length: 15 }, (_, i) => i)], []]);
  });

  it('reports a sender whose messages lose packets once per episode, with its PGN and address, and sends none of their values', async () => {
    const dir = await track.tempDir('bridge-can-j1939-gaps-');
    const line = (f: CanFrame): string => `(${(1_700_000_000 + f.timestampMs / 1000).toFixed(6)}) can0 ${f.id.toString(16).toUpperCase().padStart(8, '0')}#${Buffer.from(f.data).toString('hex').toUpperCase()}`;
    const frames: CanFrame[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const t = cycle * 1000;
      // 0x81 loses its packet 2 in the first two cycles, 0x83 in the first; 0x82's messages are whole.
      frames.push(cm(0x83, t + 5), cm(0x81, t), cm(0x82, t + 10));
      frames.push(dt(0x83, A[0]!, t + 20), dt(0x81, A[0]!, t + 50), dt(0x82, B[0]!, t + 60));
      if (cycle === 2) frames.push(dt(0x81, A[1]!, t + 100));
      frames.push(dt(0x82, B[1]!, t + 110));
      if (cycle === 0) frames.push(dt(0x83, A[2]!, t + 140));
      frames.push(dt(0x81, A[2]!, t + 150), dt(0x82, B[2]!, t + 160));
    }
    frames.sort((a, b) => a.timestampMs - b.timestampMs);
    await writeFile(join(dir, 'gaps.log'), `${frames.map(line).join('\n')}\n`);
    await writeFile(join(dir, 'transport.dbc'), VEHICLE_ID_DBC);
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const section = canConfigSchema.parse({ interface: `file:${join(dir, 'gaps.log')}`, dbc: join(dir, 'transport.dbc'), bus: 'truck', metric: '{message}.{source_address}.{signal}', signal_tags: [] });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    // 0x82 every cycle (bytes 0x0A.., Tail = 0x1C + 0x1D * 256), 0x81 only when whole (bytes 200, 197, ...); 0x83 never.
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['VehicleId.130.Head', 10], ['VehicleId.130.Tail', 0x1c + 0x1d * 256],
      ['VehicleId.130.Head', 10], ['VehicleId.130.Tail', 0x1c + 0x1d * 256],
      ['VehicleId.129.Head', 200], ['VehicleId.129.Tail', 146 + 143 * 256],
      ['VehicleId.130.Head', 10], ['VehicleId.130.Tail', 0x1c + 0x1d * 256],
    ]);
    const note = ' (further occurrences are counted, not logged, until it recovers)';
    expect(t.logs.messages('warn').filter((m) => m.includes('J1939') || m.includes('PGN'))).toEqual([
      `truck: PGN 0xFEEC from 131 to all: packet 3 of 3 came after packet 1, so packet 2 was lost; the message is dropped; counted (fieldbridge_source_errors_total{kind="j1939_transport"})${note}`,
      `truck: PGN 0xFEEC from 129 to all: packet 3 of 3 came after packet 1, so packet 2 was lost; the message is dropped; counted (fieldbridge_source_errors_total{kind="j1939_transport"})${note}`,
      // 0x83 sends no more: its session of the last cycle is under way when the log ends.
      'truck: the log ended in the middle of a J1939 transport message, given up (PGN 0xFEEC from 131 to all: 1 of 3 packets); counted (fieldbridge_source_errors_total{kind="j1939_transport"})',
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'truck', kind: 'j1939_transport' })).toBe(5);
  });
});
