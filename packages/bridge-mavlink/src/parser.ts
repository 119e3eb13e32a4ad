import { FRAME, FrameExaminer, NEED_MORE, REFUSED, SUSPECT, type Suspect } from './_examine.js';
import type { Dialect } from './dialect.js';
import { STX_V1, STX_V2, type MavlinkFrame } from './frame.js';
import { ParseTally, type ParseCounts, type ParseProblem } from './parse-problems.js';
import { checkSigningKey, ReplayGuard, type SigningOptions } from './signing.js';

/** Options of {@link createMavlinkParser}. */
export interface ParserOptions {
  /** The message tables frames are checked against (see `loadDialect`). */
  dialect: Dialect;
  /** Check signed frames against this key. Without it, signed frames are accepted unchecked. */
  signing?: SigningOptions;
  /**
   * State shared with the other parsers of one link (`createStreamParsers`: one per TCP client):
   * one set of totals, and one replay guard, so that a signed frame replayed on another
   * connection is a replay too. Default: the parser's own.
   */
  shared?: { tally: ParseTally; replay: ReplayGuard };
}

/** Options of one {@link MavlinkParser.push}. */
export interface PushOptions {
  /**
   * The chunk is a whole datagram (UDP, one `.tlog` record): no frame continues past its end, so
   * a frame cut short is reported at once instead of waiting for more bytes. Default false.
   */
  datagram?: boolean;
}

/** What one push gave: the frames completed and what was set aside. */
export interface ParseResult {
  frames: MavlinkFrame[];
  problems: ParseProblem[];
}

/**
 * A MAVLink 1 and 2 stream parser. Pure: bytes in, frames and problems out, never throws for
 * any input. It holds at most one unfinished frame (under 280 bytes) between pushes.
 */
export interface MavlinkParser {
  /** Feeds bytes. Frames are views into `chunk` (or into a copy when a frame spans two pushes). */
  push(chunk: Uint8Array, options?: PushOptions): ParseResult;
  /** The stream ended (a connection closed): what was held is reported and forgotten. */
  end(): ParseResult;
  /** Bytes held for a frame not yet complete. */
  held(): number;
  /** Running totals since creation. */
  counts(): ParseCounts;
}

/**
 * A rejected start byte whose claimed span may hold a damaged frame. If a valid frame starts
 * inside the span, the suspect was a frame cut short (`plausible` header) or noise; if the span
 * passes without one, it was a whole frame that is corrupt (`crc`) or of an unknown message.
 * Until then its bytes are counted neither way. Positions are absolute stream offsets.
 */
interface Pending extends Suspect {
  start: number;
  end: number;
}

/**
 * Creates a parser. Resynchronisation: after anything that is not a valid frame, scanning goes
 * on from the byte after the rejected start byte, so a valid frame hidden behind garbage or a
 * broken frame is never skipped. The only way to lose one is a false checksum match (1 in 65,536
 * for a random start byte naming a known message), which MAVLink's 16-bit checksum allows.
 */
export function createMavlinkParser(options: ParserOptions): MavlinkParser {
  const { dialect } = options;
  const key = options.signing?.key;
  if (key) checkSigningKey(key);
  const allowUnsigned = options.signing?.allowUnsigned ?? false;
  const examiner = new FrameExaminer(dialect, key, allowUnsigned, options.shared?.replay ?? new ReplayGuard());
  const tally = options.shared?.tally ?? new ParseTally();

  let held: Uint8Array | undefined;
  /** Absolute offset of the next byte to arrive (or of `held[0]` when holding). */
  let offset = 0;
  let pending: Pending | undefined;
  /** Absolute offset where the current run of garbage began, or -1. */
  let garbageFrom = -1;

  const problem = (out: ParseResult, p: ParseProblem): void => {
    tally.problem(p);
    out.problems.push(p);
  };
  const flushGarbage = (out: ParseResult, to: number): void => {
    if (garbageFrom >= 0 && to > garbageFrom) problem(out, { kind: 'garbage', message: `${to - garbageFrom} bytes that are not part of any frame`, bytes: to - garbageFrom });
    garbageFrom = -1;
  };
  const discard = (at: number): void => {
    if (!pending && garbageFrom < 0) garbageFrom = at;
  };
  const describe = (p: Pending): string => `message ${p.msgid} from system ${p.sysid}`;
  /**
   * The suspect's span passed with no valid frame inside: it was one whole bad frame, or (for an
   * implausible header) more garbage, which then joins the run of garbage before it.
   */
  const commitPassed = (out: ParseResult, at: number, whole = at === pending?.end): void => {
    if (!pending || at < pending.end) return;
    const p = pending;
    pending = undefined;
    if ((p.kind === 'crc' || p.kind === 'truncated') && !p.plausible) {
      if (garbageFrom < 0) garbageFrom = p.start;
      return;
    }
    flushGarbage(out, p.start);
    const where = { bytes: p.end - p.start, sysid: p.sysid, compid: p.compid, msgid: p.msgid };
    if (p.kind === 'unknown_message') {
      const unknown: ParseProblem = { kind: 'unknown_message', message: `message id ${p.msgid} from system ${p.sysid} is not in the ${dialect.name} dialect`, ...where };
      if (whole && p.seq !== undefined) unknown.whole = { seq: p.seq, before: out.frames.length };
      problem(out, unknown);
    } else if (p.kind === 'bad_length') problem(out, { kind: 'bad_length', message: `MAVLink 1 ${describe(p)} has a payload length its message does not have`, ...where });
    else if (p.kind === 'crc') problem(out, { kind: 'crc', message: `checksum mismatch on ${describe(p)}`, ...where });
    else problem(out, { kind: 'truncated', message: `${describe(p)} ends before its declared length`, ...where });
    if (at > p.end) garbageFrom = p.end;
  };
  /** A valid frame starts at `at`, inside the suspect's span: the suspect was cut short, or noise. */
  const interrupt = (out: ParseResult, at: number): void => {
    if (!pending) return;
    const p = pending;
    pending = undefined;
    if (p.plausible) {
      flushGarbage(out, p.start);
      problem(out, { kind: 'truncated', message: `${describe(p)} was cut short by the next frame`, bytes: at - p.start, sysid: p.sysid, compid: p.compid, msgid: p.msgid });
    } else if (garbageFrom < 0) {
      garbageFrom = p.start;
    }
  };

  function scan(buf: Uint8Array, base: number, final: boolean, out: ParseResult): void {
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      let s = pos;
      while (s < end && buf[s] !== STX_V2 && buf[s] !== STX_V1) s++;
      if (s > pos) discard(base + pos);
      commitPassed(out, base + s);
      if (s >= end) break;
      const verdict = examiner.examine(buf, s, end, final);
      if (verdict === NEED_MORE) {
        held = buf.slice(s);
        offset = base + s;
        if (!pending) flushGarbage(out, base + s);
        return;
      }
      if (verdict === FRAME || verdict === REFUSED) {
        interrupt(out, base + s);
        flushGarbage(out, base + s);
        if (verdict === FRAME) {
          tally.frame(examiner.frame!.sysid);
          out.frames.push(examiner.frame!);
        } else {
          problem(out, examiner.refusal!);
        }
        examiner.frame = undefined;
        examiner.refusal = undefined;
        pos = s + examiner.length;
        continue;
      }
      if (verdict === SUSPECT && !pending) {
        pending = { ...examiner.suspect!, start: base + s, end: base + s + examiner.length };
      } else {
        discard(base + s);
      }
      pos = s + 1;
    }
    commitPassed(out, base + end);
    offset = base + end;
    if (final) {
      // A datagram's bytes, or a stream's, end here: whatever was suspect is settled now.
      if (pending) commitPassed(out, pending.end, false);
      flushGarbage(out, base + end);
      pending = undefined;
    } else if (!pending) {
      flushGarbage(out, base + end);
    }
  }

  return {
    push(chunk, pushOptions) {
      const out: ParseResult = { frames: [], problems: [] };
      tally.bytes += chunk.length;
      let buf = chunk;
      if (held) {
        buf = new Uint8Array(held.length + chunk.length);
        buf.set(held);
        buf.set(chunk, held.length);
        held = undefined;
      }
      scan(buf, offset, pushOptions?.datagram ?? false, out);
      return out;
    },
    end() {
      const out: ParseResult = { frames: [], problems: [] };
      const rest = held ?? new Uint8Array(0);
      held = undefined;
      scan(rest, offset, true, out);
      return out;
    },
    held: () => held?.length ?? 0,
    counts: () => tally.snapshot(),
  };
}
