import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parseCandumpLine, replayCandumpFile, type CandumpLineResult, type CanFrame } from '../src/index.js';

const track = trackCleanups();

// What can-utils' candump printed on one vcan bus in User-Mode Linux, seven copies at once (see capture.sh there).
const PEERS = fileURLToPath(new URL('./fixtures/peers/candump-tA/', import.meta.url));
const linesOf = (name: string): string[] => readFileSync(join(PEERS, name), 'utf8').split('\n').filter((l) => l.trim() !== '');

/** The frames of the -L log recorded beside the screen output; without BRS and ESI where the screen output does not show them. */
function truth(flagsShown: boolean): CandumpLineResult[] {
  return linesOf('L.log').map((line) => {
    const read = parseCandumpLine(line)!;
    if (read.ok && read.frame.fd && !flagsShown) {
      delete read.frame.brs;
      delete read.frame.esi;
    }
    return read;
  });
}

describe('candump -tA (screen output with local dates)', () => {
  it('reads what candump -tA printed, in the zone it was recorded in, as the frames of the -L log recorded beside it', () => {
    expect(linesOf('tA-berlin.log')[0]).toBe(' (2026-12-05 03:08:27.376997)  vcan0  123   [8]  DE AD BE EF 00 00 00 00');
    const cases: [string, string, boolean][] = [
      // -ta: seconds since the epoch, whatever the zone (a frame without data ends at its `[0]`).
      ['ta.log', 'Asia/Tokyo', false],
      ['tax.log', 'Asia/Tokyo', true],
      ['tA.log', 'UTC', false],
      // 03:08 in Berlin in December (UTC+01:00) and 21:08 the day before in New York (UTC-05:00) are 02:08 UTC.
      ['tA-berlin.log', 'Europe/Berlin', false],
      ['tAx-ny.log', 'America/New_York', true],
      ['tAxae.log', '+00:00', true],
    ];
    for (const [file, timeZone, flagsShown] of cases) {
      expect(linesOf(file).map((line) => parseCandumpLine(line, { timeZone })), file).toEqual(truth(flagsShown));
    }
    // Read in another zone, the same line is another instant: the zone is what the mapping says.
    const berlin = parseCandumpLine(linesOf('tA-berlin.log')[0]!, { timeZone: 'UTC' });
    expect(berlin?.ok && berlin.frame.timestampMs).toBe(1_796_436_507_376.997 + 3_600_000);
  });

  it('says what is wrong with a date that is not one, or a length its bytes do not fill', () => {
    const read = (line: string) => {
      const r = parseCandumpLine(line, { timeZone: 'UTC' });
      return r?.ok ? 'parsed' : r?.message;
    };
    expect(read(' (2026-13-05 03:08:27.376997)  vcan0  123   [1]  DE')).toBe('date 2026-13-05 03:08:27 is not a date (candump -tA writes year-month-day hours:minutes:seconds)');
    expect(read(' (2026-02-30 03:08:27.376997)  vcan0  123   [1]  DE')).toBe('date 2026-02-30 03:08:27 is not a date (candump -tA writes year-month-day hours:minutes:seconds)');
    expect(read(' (2026-12-05 03:08:27.376997)  vcan0  123   [2]  DE')).toBe('[2] announces 2 data bytes, 1 given');
    // A logger whose clock was never set writes 1970: read as it is (replay.timestamps: replay places such frames on the clock).
    expect(read(' (1970-01-01 00:00:12.000001)  vcan0  123   [1]  DE')).toBe('parsed');
  });

  it('replays a -tA log in replay.time_zone, or in the zone of the machine that reads it, saying which', async () => {
    const frames: CanFrame[] = [];
    await replayCandumpFile(join(PEERS, 'tAx-ny.log'), { timeZone: 'America/New_York', onFrame: (f) => void frames.push(f) });
    expect(frames.map((f) => f.timestampMs)).toEqual(truth(true).map((r) => r.ok && r.frame.timestampMs));

    const dir = await track.tempDir('bridge-can-tA-');
    const dbc = join(dir, 'one.dbc');
    await writeFile(dbc, 'VERSION ""\nNS_ :\nBS_:\nBU_: N\nBO_ 291 One: 8 N\n SG_ First : 0|8@1+ (1,0) [0|255] "" N\n');
    const mapping = async (extra: string): Promise<string> => {
      const file = join(dir, `map${extra === '' ? '' : '-zone'}.yaml`);
      await writeFile(file, `source_id: ta\nsink: { url: stdout }\ncan:\n  interface: file:${join(PEERS, 'tA-berlin.log')}\n  dbc: ${dbc}\n  signal_tags: []\n${extra}`);
      return file;
    };
    const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
    const run = async (file: string, tz: string) => promisify(execFile)(process.execPath, [bin, '--config', file, '--dry-run'], { env: { ...process.env, TZ: tz } });
    const pointsOf = (stdout: string): [number, number][] => stdout.trim().split('\n').map((l) => JSON.parse(l) as { value: number; timestamp: number }).map((p) => [p.value, p.timestamp]);
    // 0x123 with DE AD BE EF ...: First is 0xDE; its time is the -L log's 1796436507.376997 s.
    const here = await run(await mapping(''), 'Europe/Berlin');
    expect(pointsOf(here.stdout)).toEqual([[0xde, 1_796_436_507_376.997]]);
    expect(here.stderr).toContain(`tA-berlin.log: ${join(PEERS, 'tA-berlin.log')} is candump -tA output, whose dates are wall-clock times without a zone: read in this machine's (Europe/Berlin); replay.time_zone names the zone it was written in`);
    const said = await run(await mapping('  replay: { time_zone: Europe/Berlin }\n'), 'UTC');
    expect(pointsOf(said.stdout)).toEqual([[0xde, 1_796_436_507_376.997]]);
    expect(said.stderr).not.toContain('without a zone');
  });
});
