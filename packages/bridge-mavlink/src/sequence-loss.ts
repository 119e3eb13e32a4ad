// Packet loss of one MAVLink component from its 8-bit sequence numbers. A gap is loss only when
// it can be: after a silence the same gap may be frames lost on the way or a sender that
// rebooted (its sequence starts over at 0), so such a gap waits for the component's boot clock
// to tell which.

/**
 * A gap between two frames further apart than this (ms) is held until the component's next
 * timed message says whether it rebooted: no autopilot or companion reboots faster. Closer
 * frames are a running link, whose gaps count at once.
 */
export const SILENCE_MS = 500;
/** The rate estimate is halved once it spans this many ms, so that it follows a changed stream rate. */
const RATE_SPAN_MS = 10_000;
/** The rate estimate is used once it spans this many ms. */
const RATE_MIN_MS = 100;
/** A silence is measurable while the frames the component sends in it at its rate, plus a quarter, stay under 256. */
const MEASURABLE_FRAMES = 256 / 1.25;

/** Frames sent over the ms they took. */
interface RateSpan {
  frames: number;
  ms: number;
}

/** A gap that followed a silence, waiting to be counted or dropped. */
interface HeldGap {
  lost: number;
  /** Arrival of the frame after the gap. */
  atMs: number;
  /** Length of the silence. */
  silenceMs: number;
  /** Frames the component sends in that silence at its rate before it; undefined when the rate is not known yet. */
  expected?: number;
}

/** The sequence state of one component; {@link createSequenceState} makes one. */
export interface SequenceState {
  lastSeq?: number;
  lastAtMs: number;
  /** Frames received (duplicates excluded). */
  received: number;
  /** Frames counted lost. */
  lost: number;
  /** Frames that repeated the previous sequence number (a duplicated route). */
  duplicates: number;
  /** True once the component sent a message with a boot time: its gaps after silences wait for the next one. */
  timed: boolean;
  /**
   * Frames sent (received and lost) over the ms they took: the component's rate, from the
   * intervals of a running link (at most {@link SILENCE_MS}), and from all (for a component that
   * sends less often than that).
   */
  rate: { running: RateSpan; all: RateSpan };
  held?: HeldGap;
}

/** A component's sequence state before its first frame (at `atMs`). */
export function createSequenceState(atMs: number): SequenceState {
  return { lastAtMs: atMs, received: 0, lost: 0, duplicates: 0, timed: false, rate: { running: { frames: 0, ms: 0 }, all: { frames: 0, ms: 0 } } };
}

/**
 * Counts a frame with sequence `seq` arriving at `atMs`. A gap of n (modulo 256, so wrap-around is
 * free) after a frame at most {@link SILENCE_MS} before counts n lost; a repeated number is a
 * duplicate. A gap after a longer silence is held when the component sends timed messages
 * ({@link clockContinued} counts it, {@link clockRestarted} drops it), else settled at once as a
 * held gap is when no timed message comes (see {@link plausible}). After more than
 * `linkTimeoutMs` the count starts over, as it does after a reboot.
 */
export function countFrame(s: SequenceState, seq: number, atMs: number, linkTimeoutMs: number): void {
  const silenceMs = atMs - s.lastAtMs;
  if (s.held && atMs - s.held.atMs > linkTimeoutMs) settle(s, plausible(s.held));
  if (s.lastSeq === undefined || silenceMs > linkTimeoutMs) {
    s.received += 1;
  } else {
    const gap = (seq - s.lastSeq - 1) & 0xff;
    if (gap === 0xff) {
      s.duplicates += 1;
    } else if (gap === 0 || silenceMs <= SILENCE_MS) {
      s.lost += gap;
      s.received += 1;
      addRate(s, gap + 1, silenceMs);
    } else {
      s.received += 1;
      if (s.held) settle(s, plausible(s.held));
      const held: HeldGap = { lost: gap, atMs, silenceMs };
      const rate = rateOf(s);
      if (rate !== undefined) held.expected = rate * silenceMs;
      s.held = held;
      if (!s.timed) settle(s, plausible(held));
    }
  }
  s.lastSeq = seq;
  s.lastAtMs = atMs;
}

/** The component's boot clock went back: it rebooted. A held gap is dropped and the sequence starts over. */
export function clockRestarted(s: SequenceState): void {
  s.timed = true;
  delete s.held;
  delete s.lastSeq;
}

/** A message of the component showed its boot clock going on: a held gap was frames lost, counted when measurable. */
export function clockContinued(s: SequenceState): void {
  s.timed = true;
  if (s.held) settle(s, measurable(s.held));
}

/** Fewer than 256 frames (with a quarter to spare) were sent in the silence: the gap modulo 256 is the count. */
function measurable(g: HeldGap): boolean {
  return g.expected !== undefined && g.expected < MEASURABLE_FRAMES;
}

/**
 * Without a boot clock to ask: a measurable gap counts when the frames it says were lost could
 * have been sent in the silence (at most twice the rate before it, and 4 frames). A restarted
 * sequence gives a gap of any size, most of them too large for the time.
 */
function plausible(g: HeldGap): boolean {
  return measurable(g) && g.lost + 1 <= 2 * g.expected! + 4;
}

function settle(s: SequenceState, count: boolean): void {
  const g = s.held!;
  delete s.held;
  if (!count) return;
  s.lost += g.lost;
  addRate(s, g.lost + 1, g.silenceMs);
}

function addRate(s: SequenceState, frames: number, ms: number): void {
  add(s.rate.all, frames, ms);
  if (ms <= SILENCE_MS) add(s.rate.running, frames, ms);
}

function add(span: RateSpan, frames: number, ms: number): void {
  span.frames += frames;
  span.ms += ms;
  if (span.ms > RATE_SPAN_MS) {
    span.frames /= 2;
    span.ms /= 2;
  }
}

/** Frames a ms: of the running link when known (a pause before would lower it), else of all intervals. */
function rateOf(s: SequenceState): number | undefined {
  const { running, all } = s.rate;
  if (running.ms >= RATE_MIN_MS) return running.frames / running.ms;
  return all.ms >= RATE_MIN_MS ? all.frames / all.ms : undefined;
}
