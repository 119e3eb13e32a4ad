import { signalBitPositions } from '../bits/signal-bits.js';
import type { SignalBuild } from './_build-mux.js';
import type { DbcMuxRange, DbcProblem } from './types.js';

/** What must hold for a signal to be in a frame: for each multiplexor up its chain, the values that select it. */
type Presence = { switchName: string; ranges: readonly DbcMuxRange[] }[];

function presenceOf(signal: SignalBuild, byName: Map<string, SignalBuild>): Presence {
  const conditions: Presence = [];
  // Resolved multiplexing has no cycles (they were dropped); the check guards anyway.
  for (let s: SignalBuild | undefined = signal; s?.multiplexer; s = byName.get(s.multiplexer.signal)) {
    const switchName = s.multiplexer.signal;
    if (conditions.some((c) => c.switchName === switchName)) break;
    conditions.push({ switchName, ranges: s.multiplexer.ranges });
  }
  return conditions;
}

const rangesMeet = (a: readonly DbcMuxRange[], b: readonly DbcMuxRange[]): boolean => a.some((x) => b.some((y) => x.min <= y.max && y.min <= x.max));

/** True when some frame can hold both: no multiplexor both depend on selects them by different values. */
function canCoexist(a: Presence, b: Presence): boolean {
  for (const x of a) for (const y of b) if (x.switchName === y.switchName && !rangesMeet(x.ranges, y.ranges)) return false;
  return true;
}

/**
 * Signals' bits as 32-bit words of the payload, three per signal (64 bits span at most three),
 * from the word `base` holds: flat arrays, so that every pair of a message of thousands of
 * signals is weighed in milliseconds.
 */
interface BitMasks {
  base: Int32Array;
  words: Int32Array;
}

function masksOf(all: readonly (readonly number[])[]): BitMasks {
  const base = new Int32Array(all.length);
  const words = new Int32Array(all.length * 3);
  for (const [i, positions] of all.entries()) {
    const first = Math.min(...positions) >> 5;
    base[i] = first;
    for (const p of positions) words[i * 3 + (p >> 5) - first]! |= 1 << (p & 31);
  }
  return { base, words };
}

function intersect(m: BitMasks, i: number, j: number): boolean {
  const shift = m.base[j]! - m.base[i]!;
  if (shift <= -3 || shift >= 3) return false;
  for (let k = 0; k < 3; k++) {
    const l = k - shift;
    if (l >= 0 && l < 3 && (m.words[i * 3 + k]! & m.words[j * 3 + l]!) !== 0) return true;
  }
  return false;
}

/** `byte 1 bits 4-7, bytes 2-3`: the shared payload bits, byte by byte (bit 0 the least significant), whole bytes by their numbers. */
function describeBits(bits: number[]): string {
  const byByte = new Map<number, number[]>();
  for (const p of [...bits].sort((x, y) => x - y)) byByte.set(p >> 3, [...(byByte.get(p >> 3) ?? []), p & 7]);
  const parts: string[] = [];
  let whole: [number, number] | undefined;
  const endWhole = (): void => {
    if (whole) parts.push(whole[0] === whole[1] ? `byte ${whole[0]}` : `bytes ${whole[0]}-${whole[1]}`);
    whole = undefined;
  };
  for (const [byte, list] of byByte) {
    if (list.length === 8) {
      if (whole && whole[1] === byte - 1) whole[1] = byte;
      else {
        endWhole();
        whole = [byte, byte];
      }
      continue;
    }
    endWhole();
    const runs: string[] = [];
    for (let i = 0; i < list.length; ) {
      let j = i;
      while (j + 1 < list.length && list[j + 1] === list[j]! + 1) j++;
      runs.push(i === j ? String(list[i]) : `${list[i]}-${list[j]}`);
      i = j + 1;
    }
    parts.push(`byte ${byte} bit${list.length === 1 ? '' : 's'} ${runs.join(', ')}`);
  }
  endWhole();
  return parts.join(', ');
}

/** The layout as a DBC writes it (`12|8@1+`), after `the multiplexor, ` for one. */
const what = (s: SignalBuild): string => `${s.isMultiplexer ? 'the multiplexor, ' : ''}${s.raw.startBit}|${s.raw.length}@${s.raw.byteOrder === 'little_endian' ? 1 : 0}${s.raw.signed ? '-' : '+'}`;

/**
 * Reports signals of one message whose bits overlap (an `overlapping_signals` problem at the
 * later one, naming both, their layouts and the shared bits), on the bits each occupies (Motorola
 * signals by their sawtooth), after multiplexing is resolved: signals that no frame can hold
 * together (selected by different values of a multiplexor both depend on) may share bits; a
 * multiplexor shares none with a signal present with it, those it selects included. Both stay
 * decoded, as the DBC says: only the file's author knows which one is right. One problem per
 * signal: the first earlier signal it overlaps, and how many others.
 */
export function reportOverlaps(messageName: string, signals: SignalBuild[], problems: DbcProblem[]): void {
  const live = signals.filter((s) => !s.dropped);
  const byName = new Map(live.map((s) => [s.raw.name, s]));
  const bits = live.map((s) => signalBitPositions(s.raw.startBit, s.raw.length, s.raw.byteOrder));
  const masks = masksOf(bits);
  const presence = live.map((s) => presenceOf(s, byName));
  for (const [i, s] of live.entries()) {
    const clashes: number[] = [];
    for (let j = 0; j < i; j++) if (intersect(masks, i, j) && canCoexist(presence[i]!, presence[j]!)) clashes.push(j);
    const first = clashes[0];
    if (first === undefined) continue;
    const other = live[first]!;
    const mine = new Set(bits[i]);
    const shared = bits[first]!.filter((p) => mine.has(p));
    const more = clashes.length > 1 ? ` (and ${clashes.length - 1} other signal${clashes.length === 2 ? '' : 's'}: ${clashes.slice(1, 4).map((j) => live[j]!.raw.name).join(', ')}${clashes.length > 4 ? ', ...' : ''})` : '';
    problems.push({
      kind: 'overlapping_signals',
      ...s.raw.location,
      message: `signals ${other.raw.name} (${what(other)}, line ${other.raw.location.line}) and ${s.raw.name} (${what(s)}) of ${messageName} overlap at ${describeBits(shared)}${more}, so at least one of them reads wrong values: a DBC error; fix their start bits and lengths in the DBC (both are decoded as written)`,
    });
  }
}
