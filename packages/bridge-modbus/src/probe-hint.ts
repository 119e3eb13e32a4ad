import { BYTE_ORDERS, type ByteOrder } from './config.js';

/** One float32 reading that looks like a measurement, and why. */
export interface FloatEvidence {
  /** The reading's first register. */
  address: number;
  float: number;
  /**
   * `short`: a short number (5 significant digits or fewer, such as 21.5 or 1450.5, from 0.001
   * to 100000 in size); `neighbours`: within a factor of 10 of another believable reading (0.0001
   * to 10 million in size) two registers away under the same order.
   */
  why: 'short' | 'neighbours';
}

/** What `--probe` concludes about the byte order of the 32-bit floats it read. */
export interface ByteOrderHint {
  /** The order whose readings look like measurements most, when one clearly wins on two readings or more. */
  order?: ByteOrder;
  /** The readings behind `order`; without it, those of the orders tied for first place. */
  evidence: { order: ByteOrder; readings: FloatEvidence[] }[];
}

/** The 32-bit readings of one start register, as `analyseRegisters` lists them. */
interface Readings32 {
  address: number;
  values: readonly { order: ByteOrder; float: number }[];
}

/** Sizes a measurement plausibly has; outside them a reading is noise (a denormal, 3.6e+24). */
const BELIEVABLE = { smallest: 1e-4, largest: 1e7 };
/**
 * Sizes a short number counts in: big whole numbers (8192000.0) are what a small integer beside
 * a zero register reads as, not measurements.
 */
const SHORT = { smallest: 1e-3, largest: 1e5 };
/** Significant digits a short number has at most; a random 32-bit pattern has 7 or more 99 times in 100. */
const SHORT_DIGITS = 5;
/** Readings two registers apart within this factor of each other count as neighbours (phases, zones, channels). */
const NEIGHBOUR_RATIO = 10;

function within(v: number, sizes: { smallest: number; largest: number }): boolean {
  const size = Math.abs(v);
  return Number.isFinite(v) && size >= sizes.smallest && size < sizes.largest;
}

function believable(v: number): boolean {
  return within(v, BELIEVABLE);
}

/** Significant digits of the shortest decimal that reads back to float32 `v`: 21.5 has 3, 0x40780001 (3.8750002) 8. */
function significantDigits(v: number): number {
  const single = Math.fround(v);
  for (let digits = 1; digits < 9; digits++) if (Math.fround(Number(v.toPrecision(digits))) === single) return digits;
  return 9;
}

function neighbours(a: number, b: number): boolean {
  const ratio = Math.abs(a) / Math.abs(b);
  return ratio <= NEIGHBOUR_RATIO && ratio >= 1 / NEIGHBOUR_RATIO;
}

/**
 * Per byte order, the float32 readings that look like measurements, from any start register
 * (a float may start at any register), picked so that no two share a register and the short
 * numbers weigh twice as much as readings only in line with their neighbours. Zeros read the
 * same under every order and are no evidence.
 */
export function floatEvidence(wide32: readonly Readings32[]): Record<ByteOrder, FloatEvidence[]> {
  const result = {} as Record<ByteOrder, FloatEvidence[]>;
  for (const order of BYTE_ORDERS) {
    const floats = wide32.map((r) => r.values.find((v) => v.order === order)?.float ?? Number.NaN);
    const candidates: (FloatEvidence | undefined)[] = floats.map((float, i) => {
      if (!believable(float)) return undefined;
      const address = wide32[i]!.address;
      if (within(float, SHORT) && significantDigits(float) <= SHORT_DIGITS) return { address, float, why: 'short' };
      const near = [floats[i - 2], floats[i + 2]].some((n) => n !== undefined && believable(n) && neighbours(float, n));
      return near ? { address, float, why: 'neighbours' } : undefined;
    });
    result[order] = pickApart(candidates);
  }
  return result;
}

/** The heaviest set of readings no two of which overlap (start registers at least 2 apart). */
function pickApart(candidates: readonly (FloatEvidence | undefined)[]): FloatEvidence[] {
  const weight = (e: FloatEvidence | undefined): number => (e === undefined ? 0 : e.why === 'short' ? 2 : 1);
  // best[i]: the heaviest pick among the first i start registers.
  const best: { weight: number; picked: FloatEvidence[] }[] = [{ weight: 0, picked: [] }];
  candidates.forEach((e, i) => {
    const skip = best[i]!;
    const before = best[Math.max(0, i - 1)]!;
    const take = e === undefined ? undefined : { weight: before.weight + weight(e), picked: [...before.picked, e] };
    best.push(take !== undefined && take.weight > skip.weight ? take : skip);
  });
  return best[candidates.length]!.picked;
}

/** How much the readings of one order weigh: 2 per short number, 1 per reading in line with a neighbour. */
export function evidenceWeight(readings: readonly FloatEvidence[]): number {
  return readings.reduce((sum, e) => sum + (e.why === 'short' ? 2 : 1), 0);
}

/**
 * The byte order whose float32 readings look like measurements most, when one clearly outweighs
 * the others and rests on two readings or more (one short number is as often a small integer
 * beside a zero register); otherwise no order, with the readings of those tied for first place
 * (none when no reading looks like a measurement at all).
 */
export function byteOrderHint(evidence: Record<ByteOrder, FloatEvidence[]>): ByteOrderHint {
  const ranked = [...BYTE_ORDERS].sort((a, b) => evidenceWeight(evidence[b]) - evidenceWeight(evidence[a]));
  const top = evidenceWeight(evidence[ranked[0]!]);
  if (top === 0) return { evidence: [] };
  const tied = ranked.filter((o) => evidenceWeight(evidence[o]) === top).map((order) => ({ order, readings: evidence[order] }));
  const [winner] = tied;
  return tied.length === 1 && winner!.readings.length >= 2 ? { order: winner!.order, evidence: tied } : { evidence: tied };
}
