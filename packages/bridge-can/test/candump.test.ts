import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCandumpLine, isCanBridgeError, parseCandumpLine, replayCandump, replayCandumpFile, type CanFrame, type ReplayClock } from '../src/index.js';

const frameOf = (line: string): CanFrame => {
  const parsed = parseCandumpLine(line);
  if (!parsed?.ok) throw new Error(`not a frame: ${line} (${parsed && !parsed.ok ? parsed.message : 'blank'})`);
  return parsed.frame;
};
const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex').toUpperCase();

/** Runs a command with `input` on its stdin; resolves with what it wrote on stdout. */
function run(command: string, args: string[], input: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout }) : reject(new Error(`${command} exited with ${code}`))));
    child.stdin.end(input);
  });
}

describe('parseCandumpLine', () => {
  it("names candump's screen output without dates (no -L, -td, -tz) and says how to record a log instead", () => {
    // The lines `candump vcan0`, `candump -td vcan0` and `candump -tz vcan0` print (can-utils' screen format: interface, id, [length], bytes).
    for (const line of ['  vcan0  0C8   [8]  40 1F 00 00 00 00 00 00', ' (000.010250)  vcan0  18FEF100   [3]  01 02 03', ' (0000000012.000000)  vcan0  0C8   [1]  01']) {
      expect(parseCandumpLine(line)).toEqual({
        ok: false,
        kind: 'malformed',
        message: "candump's screen output (`can0  123   [8]  01 02 ...`) without a date on each frame (candump -ta and -tA write one; -td and -tz write gaps and times since its start): record with candump -L (or -l), which writes `(seconds.fraction) interface frame`",
      });
    }
  });

  it("reads candump -ta's screen output (written here by can-utils' log2long) as the -L log it came from", async () => {
    const lines = [
      '(1700000000.123456) can0 0C8#401F000000000000',
      '(1700000000.200000) can1 18FEF100#010203',
      '(1700000000.300000) can0 7FF#R',
      '(1700000000.400000) can0 123##1AABBCCDDEEFF001122334455',
      '(1700000000.500000) can0 321#',
      '(1700000000.600000) can0 20000004#0000080000000000',
    ];
    const { stdout } = await run('log2long', [], lines.join('\n') + '\n');
    const screen = stdout.trimEnd().split('\n');
    // log2long's lines: `(1700000000.123456)  can0       0C8   [8]  40 1F 00 00 00 00 00 00   '@.......'`.
    expect(screen[0]).toMatch(/^\(1700000000\.123456\)\s+can0\s+0C8\s+\[8\]\s+40 1F 00 00 00 00 00 00\s+'@\.{7}'$/);
    // The same frames, but BRS and ESI, which the screen output shows only with -x: not known.
    const fromLog = lines.map((line) => parseCandumpLine(line));
    const fd = fromLog[3];
    if (fd?.ok) {
      delete fd.frame.brs;
      delete fd.frame.esi;
    }
    expect(screen.map((line) => parseCandumpLine(line))).toEqual(fromLog);
    expect(screen.every((line) => parseCandumpLine(line)?.ok)).toBe(true);
  });

  it('reads classic frames with standard and extended ids', () => {
    const f = frameOf('(1700000000.123456) can0 123#DEADBEEF');
    expect(f).toMatchObject({ id: 0x123, extended: false, fd: false, timestampMs: 1700000000123.456, timestampSource: 'log', interface: 'can0' });
    expect(hex(f.data)).toBe('DEADBEEF');
    expect(frameOf('(1700000000.000001) vcan1 1FFFFFFF#0102')).toMatchObject({ id: 0x1fffffff, extended: true });
    expect(frameOf('(0000000001.5) can0 000#').data).toHaveLength(0);
    expect(frameOf('(1700000000.100000) can0 123#11.22.33').data).toEqual(Uint8Array.of(0x11, 0x22, 0x33));
    expect(frameOf('(1700000000.100000) can0 123#1122334455667788_E').data).toHaveLength(8);
    expect(frameOf('(1700000000.100000) can0 123#11 R').data).toEqual(Uint8Array.of(0x11));
  });

  it('reads CAN FD frames with their flags, remote frames and error frames', () => {
    const fd = frameOf(`(1700000000.000000) can0 321##3${'AB'.repeat(64)}`);
    expect(fd).toMatchObject({ id: 0x321, fd: true, brs: true, esi: true });
    expect(fd.data).toHaveLength(64);
    expect(frameOf('(1700000000.000000) can0 321##1').data).toHaveLength(0);
    expect(frameOf('(1700000000.000000) can0 12345678##0112233')).toMatchObject({ extended: true, fd: true, brs: false });
    expect(frameOf('(1700000000.000000) can0 123#R')).toMatchObject({ rtr: true, data: new Uint8Array(0) });
    expect(frameOf('(1700000000.000000) can0 123#R7')).toMatchObject({ rtr: true });
    expect(frameOf('(1700000000.000000) can0 20000080#0000000000000000')).toMatchObject({ error: true, id: 0x80, extended: false });
  });

  it('reports malformed lines with the reason, CAN XL as unsupported, and blank lines as nothing', () => {
    const reasons = [
      'garbage',
      '(1700000000.0) can0 123DEADBEEF',
      '(1700000000.0) can0 12#00',
      '(1700000000.0) can0 800#00',
      '(1700000000.0) can0 3FFFFFFFF#00',
      '(1700000000.0) can0 123#ABC',
      '(1700000000.0) can0 123#112233445566778899',
      `(1700000000.0) can0 123##1${'00'.repeat(65)}`,
      '(1700000000.0) can0 123##',
      `(1700000000.0) can0 123##1${'00'.repeat(10)}`,
      '(1700000000.0) can0 123#RX',
      '(1700000000.0) can0 123#00_XY',
      '(1700000000.0) can0 G23#00',
      `(1700000000.0) can0 123#${'0'.repeat(600)}`,
    ].map((line) => {
      const r = parseCandumpLine(line);
      return r && !r.ok ? `${r.kind}: ${r.message}` : 'parsed';
    });
    expect(reasons).toEqual([
      'malformed: not `(seconds.fraction) interface frame`',
      'malformed: frame "123DEADBEEF" has no #',
      'malformed: id "12" has 2 hex digits; 3 (standard) or 8 (extended) expected',
      'malformed: standard id 0x800 is over 0x7FF',
      'malformed: id "3FFFFFFFF" has 9 hex digits; 3 (standard) or 8 (extended) expected',
      'malformed: data "ABC" is not pairs of hex digits',
      'malformed: 9 data bytes, more than 8',
      'malformed: 65 data bytes, more than 64',
      'malformed: CAN FD frame without its flags digit after ##',
      'malformed: 10 data bytes: a CAN FD frame has 0-8, 12, 16, 20, 24, 32, 48, 64',
      'malformed: remote frame "RX" is not R or R<length>',
      'malformed: "_XY" after the data is not _<dlc>',
      'malformed: id "G23" is not hexadecimal',
      'malformed: line longer than 512 characters',
    ]);
    expect(parseCandumpLine('(1700000000.0) can0 45123#81:00:12345678#1122')).toEqual({ ok: false, kind: 'unsupported', message: 'CAN XL frames are not supported' });
    expect(parseCandumpLine('   ')).toBeUndefined();
  });

  it('writes lines can-utils reads back the same', () => {
    for (const line of [
      '(1700000000.123456) can0 123#DEADBEEF',
      '(1700000000.999999) vcan0 1FFFFFFF#',
      '(0000000012.000001) can1 321##1AABBCCDDEEFF0011',
      '(1700000000.000000) can0 7FF#R',
      '(1700000000.500000) can0 20000004#0000080000000000',
    ]) {
      expect(formatCandumpLine(frameOf(line))).toBe(line);
    }
    expect(formatCandumpLine({ id: 1, extended: false, fd: false, data: new Uint8Array(0), timestampMs: 1999.9999996, timestampSource: 'log' })).toBe('(0000000002.000000) can0 001#');
  });
});

/** A clock whose sleeps move its time at once, recording how long each would have been. */
function fakeClock(startMs: number): { clock: ReplayClock; waits: number[] } {
  let now = startMs;
  const waits: number[] = [];
  return {
    waits,
    clock: {
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    },
  };
}

const log = [
  '(1700000000.000000) can0 100#01',
  'not a frame',
  '(1700000000.010000) can0 101#02',
  '',
  '(1700000000.010000) can0 45123#81:00:12345678#11',
  '(1700000000.250000) can0 102#03',
];

describe('replayCandump', () => {
  it('as fast as possible by default, keeping the log timestamps and counting bad lines', async () => {
    const frames: CanFrame[] = [];
    const problems: string[] = [];
    const { clock, waits } = fakeClock(0);
    const stats = await replayCandump(log, { clock, onFrame: (f) => void frames.push(f), onProblem: (p) => void problems.push(`${p.line} ${p.kind}`) });
    expect(waits).toEqual([]);
    expect(frames.map((f) => [f.id, f.timestampMs])).toEqual([
      [0x100, 1700000000000],
      [0x101, 1700000000010],
      [0x102, 1700000000250],
    ]);
    expect(problems).toEqual(['2 malformed', '5 unsupported']);
    expect(stats).toEqual({ lines: 6, frames: 3, malformed: 1, unsupported: 1, firstTimestampMs: 1700000000000, lastTimestampMs: 1700000000250, aborted: false, format: 'candump' });
  });

  it('reads one channel of a log with several, counting the frames of the others', async () => {
    const twoBuses = ['(1700000000.000000) can0 100#01', '(1700000000.001000) can1 200#02', '(1700000000.002000) can2 300#03', '(1700000000.003000) can1 201#04'];
    const frames: CanFrame[] = [];
    const stats = await replayCandump(twoBuses, { channel: 'can1', onFrame: (f) => void frames.push(f) });
    expect(frames.map((f) => [f.interface, f.id])).toEqual([['can1', 0x200], ['can1', 0x201]]);
    expect(stats).toMatchObject({ frames: 2, otherChannels: { frames: 2, names: ['can0', 'can2'] }, firstTimestampMs: 1700000000001 });
  });

  it('at recorded pace, waiting out the gaps (scaled by speed) on the injected clock, with replay timestamps', async () => {
    const { clock, waits } = fakeClock(5_000);
    const seen: [number, number, string][] = [];
    await replayCandump(log, { clock, pace: 'recorded', speed: 2, timestamps: 'replay', onFrame: (f) => void seen.push([clock.now(), f.timestampMs, f.timestampSource]) });
    expect(waits).toEqual([5, 120]);
    expect(seen).toEqual([
      [5_000, 5_000, 'replay'],
      [5_005, 5_005, 'replay'],
      [5_125, 5_125, 'replay'],
    ]);
  });

  it('does not wait for frames already late, and awaits onFrame before the next frame', async () => {
    const { clock, waits } = fakeClock(0);
    const order: string[] = [];
    await replayCandump(log, {
      clock,
      pace: 'recorded',
      onFrame: async (f) => {
        order.push(`start ${f.id}`);
        // The consumer is slow: 100 ms per frame, more than the log's 10 ms gap.
        await clock.sleep(100);
        order.push(`end ${f.id}`);
      },
    });
    expect(order).toEqual(['start 256', 'end 256', 'start 257', 'end 257', 'start 258', 'end 258']);
    expect(waits).toEqual([100, 100, 50, 100]);
  });

  it('stops when the signal aborts, and refuses a speed that is not positive', async () => {
    const controller = new AbortController();
    const stats = await replayCandump(log, { onFrame: () => controller.abort(), signal: controller.signal });
    expect(stats).toMatchObject({ frames: 1, aborted: true });
    await expect(replayCandump(log, { onFrame: () => undefined, speed: 0 })).rejects.toThrow(/speed must be a positive number/);
  });
});

describe('replayCandumpFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-can-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams a file with CRLF endings, and bounds a huge line without holding it', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, `${log[0]}\r\n${'F'.repeat(1_000_000)}\n${log[2]}\r\n`);
    const frames: CanFrame[] = [];
    const problems: string[] = [];
    const stats = await replayCandumpFile(path, { onFrame: (f) => void frames.push(f), onProblem: (p) => void problems.push(p.message) });
    expect(frames.map((f) => f.id)).toEqual([0x100, 0x101]);
    expect(problems).toEqual(['line longer than 512 characters']);
    expect(stats).toMatchObject({ lines: 3, frames: 2, malformed: 1 });
  });

  it('loops, moving each pass after the previous one, until aborted', async () => {
    const path = join(dir, 'loop.log');
    await writeFile(path, `${log[0]}\n${log[5]}\n`);
    const controller = new AbortController();
    const stamps: number[] = [];
    const stats = await replayCandumpFile(path, {
      loop: true,
      signal: controller.signal,
      onFrame: (f) => {
        stamps.push(f.timestampMs - 1700000000000);
        if (stamps.length === 6) controller.abort();
      },
    });
    expect(stamps).toEqual([0, 250, 251, 501, 502, 752]);
    expect(stats).toMatchObject({ frames: 6, aborted: true });
  });

  it('throws LOG_READ_FAILED naming the file when it cannot be read', async () => {
    await expect(replayCandumpFile(join(dir, 'missing.log'), { onFrame: () => undefined })).rejects.toSatisfy(
      (err: unknown) => isCanBridgeError(err, 'LOG_READ_FAILED') && err.message.includes('missing.log'),
    );
    await expect(replayCandumpFile(dir, { onFrame: () => undefined })).rejects.toThrow(/not a regular file/);
  });
});
