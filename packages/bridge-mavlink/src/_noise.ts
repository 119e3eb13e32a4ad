import type { ProblemReporter } from '@fieldbridge/core/bridge';

/**
 * Parse problems of frames nothing could check: bytes of no frame, and frames whose checksum
 * failed, that were cut short, or whose message id the dialect lacks (a MAVLink 2 frame of an
 * unknown id cannot be checked at all: its CRC_EXTRA is unknown). Their system and message ids
 * are whatever the bytes said, so random bytes (noise on a radio or a UDP port) make them up.
 */
export const UNCHECKED_KINDS: ReadonlySet<string> = new Set(['garbage', 'crc', 'truncated', 'unknown_message']);

/** A noise episode ends once a read of a clean message comes this long (ms) after the last unreadable bytes. */
export const NOISE_QUIET_MS = 10_000;

type Tally = { bytes: number; unknown: number; crc: number; truncated: number };
const empty = (): Tally => ({ bytes: 0, unknown: 0, crc: 0, truncated: 0 });

const frames = (n: number): string => `${n.toLocaleString('en-US')} frame${n === 1 ? '' : 's'}`;

/**
 * The link's unreadable bytes, said as one episode for the link rather than one per made-up
 * system and message id: the first read's counts when it starts, the totals when it ends (a clean
 * message after {@link NOISE_QUIET_MS} without any).
 */
export class NoiseEpisode {
  private read = empty();
  private total = empty();
  private lastAt: number | undefined;
  private sinceAt = 0;

  constructor(
    private readonly problems: ProblemReporter,
    private readonly key: string,
    private readonly link: string,
    private readonly dialect: string,
  ) {}

  /** Counts one unchecked problem of the current read. */
  add(p: { kind: string; bytes?: number }): void {
    const t = this.read;
    if (p.kind === 'garbage') t.bytes += p.bytes ?? 0;
    else if (p.kind === 'unknown_message') t.unknown += 1;
    else if (p.kind === 'crc') t.crc += 1;
    else t.truncated += 1;
  }

  /** Ends a read at `atMs` (monotonic, or a replay's recorded time): reports what it counted, or ends the episode when `clean` and quiet long enough. */
  settle(atMs: number, clean: boolean): void {
    const r = this.read;
    if (r.bytes + r.unknown + r.crc + r.truncated > 0) {
      if (this.lastAt === undefined) this.sinceAt = atMs;
      this.lastAt = atMs;
      for (const k of ['bytes', 'unknown', 'crc', 'truncated'] as const) this.total[k] += r[k];
      this.problems.report(this.key, `${this.link}: ${this.describe(r)}`);
      this.read = empty();
      return;
    }
    if (!clean || this.lastAt === undefined || atMs - this.lastAt < NOISE_QUIET_MS) return;
    this.problems.resolve(this.key, `${this.link}: no unreadable bytes for ${NOISE_QUIET_MS / 1000} s; in ${Math.round((this.lastAt - this.sinceAt) / 1000)} s there were ${this.describe(this.total)}`);
    this.total = empty();
    this.lastAt = undefined;
  }

  private describe(t: Tally): string {
    const parts: string[] = [];
    if (t.bytes > 0) parts.push(`${t.bytes.toLocaleString('en-US')} bytes that are not part of any frame`);
    if (t.unknown > 0) parts.push(`${frames(t.unknown)} with message ids not in the ${this.dialect} dialect`);
    if (t.crc > 0) parts.push(`${frames(t.crc)} failing ${t.crc === 1 ? 'its' : 'their'} checksum`);
    if (t.truncated > 0) parts.push(`${frames(t.truncated)} cut short`);
    // Frames of an unknown id cannot be checked: noise makes them up as readily as another dialect sends them.
    const other = this.dialect === 'common' ? 'another dialect: dialect: ardupilotmega has more messages' : 'messages of a dialect this bridge does not read';
    const why = t.unknown > 0 ? `noise on the link, or ${other}; bridge-mavlink --scan lists the ids` : 'noise on the link, or frames damaged on the way';
    return `${parts.join(', ')} (${why})`;
  }
}
