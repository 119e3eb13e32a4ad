import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { j1939Id, J1939Transport } from '../src/frames/j1939-transport.js';
import { createCanSource } from '../src/source.js';
import { runInUml } from './helpers/uml.mjs';
import { j1939Dbc, TRANSFER, VEHICLE_ID } from './helpers/j1939-dbc.js';

const TRANSPORT_DBC = j1939Dbc(TRANSFER, VEHICLE_ID);

const track = trackCleanups();

/** A 29-bit frame at `ms` with `bytes` (hex). */
const frame = (id: number, bytes: string, ms: number): CanFrame => ({ id, extended: true, fd: false, data: Uint8Array.from(Buffer.from(bytes, 'hex')), timestampMs: ms, timestampSource: 'log' });

// J1939-21 layouts, written out by hand. TP.CM from 0x81 to all (BAM): 20 bytes, 3 packets, PGN 0xFEEC.
const BAM_CM = frame(0x18ecff81, '20140003ffecfe00', 0);
const BAM_DT = ['01c8c5c2bfbcb9b6', '02b3b0adaaa7a4a1', '039e9b9895928fff'].map((d, i) => frame(0x18ebff81, d, 50 * (i + 1)));
const BAM_BYTES = Array.from({ length: 20 }, (_, i) => 200 - 3 * i);

describe('J1939 transport protocol', () => {
  it('reassembles a BAM message into one frame with its own id, the padding cut off', () => {
    const tp = new J1939Transport(() => true);
    expect(tp.accept(BAM_CM)).toEqual({});
    expect(tp.accept(BAM_DT[0]!)).toEqual({});
    expect(tp.accept(BAM_DT[1]!)).toEqual({});
    const done = tp.accept(BAM_DT[2]!);
    // Priority 6 from the TP.CM, PGN 0xFEEC (PDU2: its low byte is the group extension), sender 0x81.
    expect(done?.message).toMatchObject({ id: 0x18feec81, extended: true, timestampMs: 150 });
    expect([...done!.message!.data]).toEqual(BAM_BYTES);
    // Not a transport frame: left to the decoder.
    expect(tp.accept(frame(0x18feec81, '0102030405060708', 200))).toBeUndefined();
  });

  it('follows RTS/CTS between two nodes, a packet sent again included, and keeps the destination in a PDU1 id', () => {
    const tp = new J1939Transport(() => true);
    // RTS from 0x80 to 0x90: 10 bytes, 2 packets, at most 1 per CTS, PGN 0x12300 (data page 1, PDU1).
    tp.accept(frame(0x18ec9080, '100a000201002301', 0));
    tp.accept(frame(0x18ec8090, '110101ffff002301', 1));
    tp.accept(frame(0x18eb9080, '01000102030405ff', 2));
    // The receiver asks for packet 1 again; the second copy replaces the first.
    tp.accept(frame(0x18ec8090, '110101ffff002301', 3));
    tp.accept(frame(0x18eb9080, '0100010203040506', 3));
    tp.accept(frame(0x18ec8090, '110102ffff002301', 4));
    const done = tp.accept(frame(0x18eb9080, '020708090a0b0cff', 5));
    expect(tp.accept(frame(0x18ec8090, '130a0002ff002301', 6))).toEqual({});
    expect(done?.message?.id).toBe(j1939Id(6, 0x12300, 0x90, 0x80));
    expect(j1939Id(6, 0x12300, 0x90, 0x80)).toBe(0x19239080);
    expect([...done!.message!.data]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives up a message that is aborted, stalls past 1,250 ms (RTS/CTS) or is replaced, saying which', () => {
    const tp = new J1939Transport(() => true);
    const said = (f: CanFrame): string[] | undefined => tp.accept(f)?.problems?.map((p) => p.message);
    tp.accept(frame(0x18ec9080, '100a000201002301', 0));
    // The receiver aborts (reason 1: already in a session).
    expect(said(frame(0x18ec8090, 'ff01ffffff002301', 1))).toEqual(['PGN 0x12300 from 128 to 144: aborted (reason 1) after 0 of 2 packets']);
    // A CTS holds the session open; 1,251 ms after it, with no packet, it is over.
    tp.accept(frame(0x18ec9080, '100a000201002301', 10));
    tp.accept(frame(0x18ec8090, '110101ffff002301', 20));
    expect(said(frame(0x18eb9080, '0100010203040506', 1271))).toEqual(["PGN 0x12300 from 128 to 144: nothing for 1251 ms after 0 of 2 packets (J1939-21's T2 and T3 allow 1250 ms); the message is dropped"]);
    tp.accept(BAM_CM);
    expect(said({ ...BAM_CM, timestampMs: 10 })).toEqual(['PGN 0xFEEC from 129 to all: a new message began after 0 of 3 packets']);
    // A new message over one under way whose size cannot be: both said.
    expect(said(frame(0x18ecff81, '20ff0003ffecfe00', 20))).toEqual(['PGN 0xFEEC from 129 to all: a new message began after 0 of 3 packets', expect.stringContaining('a transport message of 255 bytes in 3 packets cannot be')]);
  });

  it('drops a message at a packet numbered outside it, and gives up what is under way when asked (a log ended)', () => {
    const tp = new J1939Transport(() => true);
    const said = (f: CanFrame): string[] | undefined => tp.accept(f)?.problems?.map((p) => p.message);
    tp.accept(BAM_CM);
    tp.accept(BAM_DT[0]!);
    expect(said(frame(0x18ebff81, '04c8c5c2bfbcb9b6', 60))).toEqual(['PGN 0xFEEC from 129 to all: a packet numbered 4 came after packet 1 of 3 (out of turn: a packet of another message?); the message is dropped']);
    tp.accept({ ...BAM_CM, timestampMs: 65 });
    expect(said(frame(0x18ebff81, '00c8c5c2bfbcb9b6', 70))).toEqual(['PGN 0xFEEC from 129 to all: a packet numbered 0 came before packet 1 of 3 (out of turn: a packet of another message?); the message is dropped']);
    tp.accept({ ...BAM_CM, timestampMs: 75 });
    tp.accept({ ...BAM_DT[0]!, timestampMs: 76 });
    tp.accept(frame(0x18ec9080, '100a000201002301', 80));
    expect(tp.giveUpAll()).toEqual(['PGN 0xFEEC from 129 to all: 1 of 3 packets', 'PGN 0x12300 from 128 to 144: 0 of 2 packets']);
    expect(tp.giveUpAll()).toEqual([]);
    // Nothing of the given-up message is kept: its last packets complete nothing.
    expect([tp.accept({ ...BAM_DT[1]!, timestampMs: 90 }), tp.accept({ ...BAM_DT[2]!, timestampMs: 91 })]).toEqual([{}, {}]);
  });

  it('a replay that ends in the middle of a transport message says so once at its end (a candump log)', async () => {
    const dir = await track.tempDir('bridge-can-j1939-cut-');
    const line = (f: CanFrame): string => `(${(1_700_000_000 + f.timestampMs / 1000).toFixed(6)}) can0 ${f.id.toString(16).toUpperCase().padStart(8, '0')}#${Buffer.from(f.data).toString('hex').toUpperCase()}`;
    // One whole BAM message, then one cut after its first packet.
    const cut = [BAM_CM, ...BAM_DT, { ...BAM_CM, timestampMs: 500 }, { ...BAM_DT[0]!, timestampMs: 550 }];
    await writeFile(join(dir, 'cut.log'), `${cut.map(line).join('\n')}\n`);
    await writeFile(join(dir, 'transport.dbc'), TRANSPORT_DBC);
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const section = canConfigSchema.parse({ interface: `file:${join(dir, 'cut.log')}`, dbc: join(dir, 'transport.dbc'), bus: 'truck', signal_tags: [] });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['VehicleId.Head', 200], ['VehicleId.Tail', 146 + 143 * 256]]);
    expect(t.logs.messages('warn').filter((m) => m.includes('transport'))).toEqual([
      'truck: the log ended in the middle of a J1939 transport message, given up (PGN 0xFEEC from 129 to all: 1 of 3 packets); counted (fieldbridge_source_errors_total{kind="j1939_transport"})',
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'truck', kind: 'j1939_transport' })).toBe(1);
  });

  it('keeps no session for a PGN it is not asked for, and at most the sessions it is given', () => {
    const unwanted = new J1939Transport((pgn) => pgn !== 0xfeec);
    unwanted.accept(BAM_CM);
    expect(BAM_DT.map((f) => unwanted.accept(f))).toEqual([{}, {}, {}]);
    const small = new J1939Transport(() => true, 2);
    small.accept(frame(0x18ecff01, '20140003ffecfe00', 0));
    small.accept(frame(0x18ecff02, '20140003ffecfe00', 0));
    expect(small.accept(frame(0x18ecff03, '20140003ffecfe00', 0))?.problems?.map((p) => p.message)).toEqual(['PGN 0xFEEC from 1 to all: given up after 0 of 3 packets, 2 messages being under way at once']);
  });

  it('random transport frames never throw, keep their bound, and give only whole messages', () => {
    const random = seededRandom(9);
    const tp = new J1939Transport((pgn) => pgn % 3 !== 0, 8);
    let messages = 0;
    const next = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const cm = random() < 0.2;
      const sa = Math.floor(random() * 4);
      const da = random() < 0.5 ? 0xff : Math.floor(random() * 4);
      const data = Uint8Array.from({ length: 8 }, () => Math.floor(random() * 256));
      if (cm) {
        data[0] = [16, 17, 19, 32, 255, Math.floor(random() * 256)][Math.floor(random() * 6)]!;
        // Mostly sizes that fit their packet count, so that messages do complete.
        if (random() < 0.8) {
          const size = 9 + Math.floor(random() * 40);
          data[1] = size & 0xff;
          data[2] = size >> 8;
          data[3] = Math.ceil(size / 7);
        }
        if (data[0] === 16 || data[0] === 32) next.set(sa * 256 + da, 1);
      } else {
        // Mostly the packet that comes next, so that messages do complete; now and then any.
        const key = sa * 256 + da;
        const expected = next.get(key) ?? 1;
        data[0] = random() < 0.9 ? expected : Math.floor(random() * 9);
        if (data[0] === expected) next.set(key, expected + 1);
      }
      const outcome = tp.accept({ id: ((6 << 26) | ((cm ? 0xec : 0xeb) << 16) | (da << 8) | sa) >>> 0, extended: true, fd: false, data, timestampMs: i, timestampSource: 'log' });
      expect(outcome).toBeDefined();
      if (outcome?.message) {
        messages++;
        expect(outcome.message.data.length).toBeGreaterThanOrEqual(9);
        expect(outcome.message.data.length).toBeLessThanOrEqual(1785);
      }
    }
    expect(messages).toBeGreaterThan(10);
  });
});

describe('J1939 transport against the Linux kernel J1939 stack (User-Mode Linux)', () => {
  it("reassembles what the kernel's stack sent with RTS/CTS and BAM, captured by candump, into the DBC's values", async () => {
    const payload = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
    const bam = Buffer.from(Array.from({ length: 20 }, (_, i) => (200 - i * 3) & 0xff));
    // Each step waits for the event it needs (a socket registered, bytes received), never for a time.
    const script = `
set -e
insmod /usr/lib/uml/modules/$(uname -r)/kernel/net/can/j1939/can-j1939.ko
wait_for() { n=0; until eval "$1"; do n=$((n+1)); [ $n -lt 400 ] || { echo "timed out: $1"; exit 1; }; sleep 0.05; done; }
candump -L vcan0 > "$W/capture.log" &
DUMP=$!
wait_for "grep -q ' raw' /proc/net/can/rcvlist_all"
j1939cat -r vcan0:0x90 > "$W/rts.bin" &
wait_for "grep -q j1939 /proc/net/can/rcvlist_fil"
j1939cat -B -r vcan0:0x91 > "$W/bam.bin" &
j1939cat -i "$W/payload.bin" vcan0:0x80 :0x90,0x12300 || true
wait_for '[ "$(wc -c < "$W/rts.bin")" -ge 100 ]'
j1939cat -B -i "$W/bam-payload.bin" vcan0:0x81 :,0x0FEEC || true
wait_for '[ "$(wc -c < "$W/bam.bin")" -ge 20 ]'
j1939cat -B -i "$W/dm1.bin" vcan0:0x03 :,0x0FECA || true
wait_for '[ "$(wc -c < "$W/bam.bin")" -ge 30 ]'
kill $DUMP
wait $DUMP || true
echo transfers-done
`;
    // A DM1 with two faults (10 bytes, so BAM): SPN 110 FMI 0 x5, and SPN 371661 FMI 31 x3 (see j1939-dm1.test.ts).
    const dm1 = Buffer.from('44FF6E000005CDABBF83', 'hex');
    const run = await runInUml({ script, files: { 'payload.bin': payload, 'bam-payload.bin': bam, 'dm1.bin': dm1 }, collect: ['capture.log'], timeoutMs: 120_000 });
    expect(run.output, run.output).toContain('transfers-done');
    const capture = run.files['capture.log']!;
    // The kernel's own frames: an RTS to 0x90, a CTS back, data packets, and a BAM to all.
    expect(capture).toMatch(/ 18EC9080#1064000F/);
    expect(capture).toMatch(/ 18ECFF81#20140003FFECFE00/);
    const dir = await track.tempDir('bridge-can-j1939-');
    await writeFile(join(dir, 'capture.log'), capture);
    await writeFile(join(dir, 'transport.dbc'), TRANSPORT_DBC);
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const section = canConfigSchema.parse({ interface: `file:${join(dir, 'capture.log')}`, dbc: join(dir, 'transport.dbc'), bus: 'truck', metric: '{message}.{source_address}.{signal}', signal_tags: [], j1939_dm1: true });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    // Values worked out from the bytes sent: payload[i] = (37 i + 11) mod 256, bam[i] = 200 - 3 i.
    expect(Object.fromEntries(t.points.filter((p) => !p.metric.startsWith('dm1.')).map((p) => [p.metric, p.value]))).toEqual({
      'Transfer.128.First': 11,
      'Transfer.128.Middle': 125 + 162 * 256,
      'Transfer.128.Last': 90,
      'VehicleId.129.Head': 200,
      'VehicleId.129.Tail': 146 + 143 * 256,
    });
    expect(t.points.filter((p) => p.metric === 'dm1.fault').map((p) => [p.tags?.source_address, p.value])).toEqual([
      ['3', 'SPN 110 FMI 0 active, 5 occurrences'],
      ['3', 'SPN 371661 FMI 31 active, 3 occurrences (SPN by an old conversion method)'],
    ]);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'truck', outcome: 'decoded' })).toBe(3);
  });
});
