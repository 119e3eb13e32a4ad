import { describe, expect, it } from 'vitest';
import { NO_FRAME_BYTES, NoFrameWatch } from '../src/_no-frames.js';
import { PARSE_PROBLEM_KINDS, type ParseCounts } from '../src/parse-problems.js';

const counts = (bytes: number, frames: number, problems: Partial<ParseCounts['problems']> = {}): ParseCounts => ({
  frames,
  bytes,
  problems: { ...(Object.fromEntries(PARSE_PROBLEM_KINDS.map((k) => [k, 0])) as ParseCounts['problems']), ...problems },
  garbageBytes: 0,
  framesBySystem: new Map(),
  problemsBySystem: new Map(),
  signatureProblemsByLink: new Map(),
});

function watched(connection: ConstructorParameters<typeof NoFrameWatch>[3]) {
  const lines: string[] = [];
  const reporter = { report: (_k: string, m: string) => (lines.push(`warn ${m}`), true), resolve: (_k: string, m?: string) => void lines.push(`info ${m}`), open: () => [] };
  return { lines, watch: new NoFrameWatch(reporter, 'no_frames', 'udpin://0.0.0.0:14550', connection) };
}

describe('a live link whose bytes hold no frame', () => {
  it('is said once past the threshold, with advice for its kind of link, and resolved by the first frame', () => {
    const { lines, watch } = watched({ kind: 'udpin', host: '0.0.0.0', port: 14550 });
    watch.read(() => counts(NO_FRAME_BYTES - 1, 0, { garbage: 30, crc: 2, unknown_message: 5, truncated: 1 }));
    expect(lines).toEqual([]);
    watch.read(() => counts(NO_FRAME_BYTES, 0, { garbage: 31 }));
    watch.read(() => counts(2 * NO_FRAME_BYTES, 0, { garbage: 60 }));
    expect(lines).toEqual([`warn udpin://0.0.0.0:14550: 4,096 bytes read and not one MAVLink frame among them: what sends to this port is not MAVLink (another protocol, a video stream), or its frames are damaged on the way; bridge-mavlink --scan lists what is heard`]);
    watch.read(() => counts(2 * NO_FRAME_BYTES + 21, 1));
    watch.read(() => counts(3 * NO_FRAME_BYTES, 1));
    expect(lines.slice(1)).toEqual(['info udpin://0.0.0.0:14550: MAVLink frames read']);
  });

  it('says nothing when frames came refused for their signature or length: those are MAVLink, with problems of their own', () => {
    for (const kind of ['bad_signature', 'unsigned', 'replayed_signature', 'bad_length'] as const) {
      const { lines, watch } = watched({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 57600 });
      watch.read(() => counts(NO_FRAME_BYTES * 2, 0, { [kind]: 100 }));
      expect(lines).toEqual([]);
    }
  });

  it('is never counted after the first frame: a noisy link later is noise, not a wrong baud rate', () => {
    const { lines, watch } = watched({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 115200 });
    watch.read(() => counts(300, 1));
    watch.read(() => counts(NO_FRAME_BYTES * 10, 1, { garbage: 500 }));
    expect(lines).toEqual([]);
  });
});
