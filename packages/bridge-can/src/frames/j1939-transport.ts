import type { CanFrame } from './can-frame.js';

/**
 * SAE J1939-21's transport protocol, as a listener on the bus hears it: messages of 9 to 1,785
 * bytes travel as a connection-management frame (TP.CM, PGN 0xEC00: BAM to everyone, or RTS to
 * one node, which answers CTS and, at the end, EndOfMsgAck) and data frames (TP.DT, PGN 0xEB00:
 * a sequence number 1-255 and 7 bytes each). Sessions are kept per bus (the frame's `interface`),
 * sender and destination: a log of several buses often has the same addresses on each (two
 * identical ECUs, a truck's and a trailer's bus). A message whose packets have all arrived comes
 * out as one frame with the message's own id, data and interface, stamped with its last packet's time.
 *
 * Packets come in order (J1939-21 sends a BAM's one after the other, and an RTS/CTS session's as
 * each CTS asks), so a packet other than the next one means some were lost here: the message is
 * dropped at once and said, never completed with the packets of another (a next message whose
 * TP.CM was lost too would otherwise fill the holes). Only a CTS asking for packets again moves
 * the next one back.
 */

/** A message under way that was given up: which one, and why. */
export interface TransportProblem {
  pgn: number;
  sourceAddress: number;
  /** 255: to all (BAM). */
  destinationAddress: number;
  /** The bus it was under way on (the frames' `interface`), when they name one. */
  interface?: string;
  /** What happened, naming the PGN, the sender and the destination. */
  message: string;
}

/** What one frame meant to the transport protocol. */
export interface TransportOutcome {
  /** The message this frame completed: its id (priority, PGN, destination, sender) and all its bytes. */
  message?: CanFrame;
  /** Messages under way that were given up (a packet lost, an abort, a new message over one under way...). */
  problems?: TransportProblem[];
}

const TP_CM = 0xec;
const TP_DT = 0xeb;
const RTS = 16;
const CTS = 17;
const END_OF_MSG_ACK = 19;
const BAM = 32;
const ABORT = 255;
/** The longest gap between a BAM's packets: J1939-21's T1 (750 ms). */
const BAM_GAP_MS = 750;
/** The longest gap in an RTS/CTS session (CTS after a packet, packets after a CTS): J1939-21's T2 and T3 (1,250 ms). */
const MAX_GAP_MS = 1250;
const MAX_SIZE = 1785;

interface Session {
  pgn: number;
  size: number;
  packets: number;
  priority: number;
  sourceAddress: number;
  destinationAddress: number;
  interface: string | undefined;
  chunks: (Uint8Array | undefined)[];
  received: number;
  /** The packet number that may come next: the one after the last, or the one a CTS asked for. */
  next: number;
  lastMs: number;
}

/** The 29-bit id a message of `pgn` from `sa` to `da` has (PDU1 PGNs carry the destination in PS). */
export function j1939Id(priority: number, pgn: number, destinationAddress: number, sourceAddress: number): number {
  const pf = (pgn >>> 8) & 0xff;
  const ps = pf < 240 ? destinationAddress : pgn & 0xff;
  return ((priority & 7) * 0x4000000 + ((pgn >>> 16) & 3) * 0x1000000 + pf * 0x10000 + ps * 0x100 + (sourceAddress & 0xff)) >>> 0;
}

const pgnText = (pgn: number): string => `PGN 0x${pgn.toString(16).toUpperCase().padStart(4, '0')}`;
const gapLimit = (s: Session): number => (s.destinationAddress === 0xff ? BAM_GAP_MS : MAX_GAP_MS);
/** A session's key: its bus, sender and destination. */
const keyOf = (iface: string | undefined, sa: number, da: number): string => `${sa * 256 + da}@${iface ?? ''}`;
const packetsText = (from: number, to: number): string => (from === to ? `packet ${from}` : `packets ${from}-${to}`);

/** Why packet `sequence` cannot be the next one of `s`. */
function outOfTurn(s: Session, sequence: number): string {
  const after = s.next === 1 ? 'came first' : `came after packet ${s.next - 1}`;
  if (sequence > s.next && sequence <= s.packets) return `packet ${sequence} of ${s.packets} ${after}, so ${packetsText(s.next, sequence - 1)} ${sequence - s.next === 1 ? 'was' : 'were'} lost`;
  return `a packet numbered ${sequence} came ${s.next === 1 ? 'before packet 1' : `after packet ${s.next - 1}`} of ${s.packets} (out of turn: a packet of another message?)`;
}

/**
 * Reassembles J1939 transport sessions from the frames of one bus, in order. `wants` says which
 * PGNs, from which sender to which destination, are worth reassembling (others are still recognised as transport frames, not kept).
 * Bounded: at most `maxSessions` messages under way (the oldest is given up for a new one).
 */
export class J1939Transport {
  private readonly sessions = new Map<string, Session>();
  /** The first interface seen, and whether frames of another came since: texts name the bus only then. */
  private firstInterface: string | undefined;
  private severalInterfaces = false;

  constructor(
    private readonly wants: (pgn: number, sourceAddress: number, destinationAddress: number) => boolean,
    private readonly maxSessions = 64,
  ) {}

  /** What `frame` means to the transport protocol; undefined for a frame that is not TP.CM or TP.DT. */
  accept(frame: CanFrame): TransportOutcome | undefined {
    if (!frame.extended || frame.error || frame.rtr || frame.data.length < 8) return undefined;
    // Data page 0, PDU format 0xEC or 0xEB: the destination is in PS, the sender in the low byte.
    const format = (frame.id >>> 16) & 0x3ff;
    if (format !== TP_CM && format !== TP_DT) return undefined;
    const outcome: TransportOutcome = {};
    const problems: TransportProblem[] = [];
    this.expire(frame.timestampMs, problems);
    const sa = frame.id & 0xff;
    const da = (frame.id >>> 8) & 0xff;
    const iface = frame.interface;
    if (!this.severalInterfaces && iface !== this.firstInterface) {
      if (this.firstInterface === undefined) this.firstInterface = iface;
      else this.severalInterfaces = true;
    }
    if (format === TP_DT) this.data(keyOf(iface, sa, da), frame, outcome, problems);
    else this.control(iface, sa, da, frame, problems);
    if (problems.length > 0) outcome.problems = problems;
    return outcome;
  }

  /**
   * The messages still under way, each as `PGN 0xFEEC from 129 to all: 1 of 3 packets`, given up
   * (a log ended before their last packet).
   */
  giveUpAll(): string[] {
    const left = [...this.sessions.values()].map((s) => `${this.describe(s)}: ${s.received} of ${s.packets} packets`);
    this.sessions.clear();
    return left;
  }

  /** Gives up the sessions silent for longer than J1939-21 allows, on the frames' own clock (a log's times). */
  private expire(nowMs: number, problems: TransportProblem[]): void {
    for (const [key, s] of this.sessions) {
      const gap = nowMs - s.lastMs;
      if (gap <= gapLimit(s)) continue;
      this.sessions.delete(key);
      const allowed = s.destinationAddress === 0xff ? `J1939-21's T1 allows ${BAM_GAP_MS} ms between a BAM's packets` : `J1939-21's T2 and T3 allow ${MAX_GAP_MS} ms`;
      problems.push(this.dropped(s, `nothing for ${Math.round(gap)} ms after ${s.next - 1} of ${s.packets} packets (${allowed})`));
    }
  }

  /** `PGN 0xFEEC from 129 to all`, and `on can1` once frames of several buses came. */
  private describe(s: Session): string {
    const to = s.destinationAddress === 0xff ? 'all' : s.destinationAddress;
    return `${pgnText(s.pgn)} from ${s.sourceAddress} to ${to}${this.severalInterfaces && s.interface !== undefined ? ` on ${s.interface}` : ''}`;
  }

  private problemOf(s: Session, why: string): TransportProblem {
    const problem: TransportProblem = { pgn: s.pgn, sourceAddress: s.sourceAddress, destinationAddress: s.destinationAddress, message: `${this.describe(s)}: ${why}` };
    if (s.interface !== undefined) problem.interface = s.interface;
    return problem;
  }

  private dropped(s: Session, why: string): TransportProblem {
    return this.problemOf(s, `${why}; the message is dropped`);
  }

  private control(iface: string | undefined, sa: number, da: number, frame: CanFrame, problems: TransportProblem[]): void {
    const key = keyOf(iface, sa, da);
    const d = frame.data;
    const control = d[0]!;
    const pgn = d[5]! | (d[6]! << 8) | ((d[7]! & 3) << 16);
    if (control === RTS || control === BAM) {
      const size = d[1]! | (d[2]! << 8);
      const packets = d[3]!;
      const replaced = this.sessions.get(key);
      this.sessions.delete(key);
      if (replaced) problems.push(this.problemOf(replaced, `a new message began after ${replaced.received} of ${replaced.packets} packets`));
      if (!this.wants(pgn, sa, da)) return;
      if (size < 9 || size > MAX_SIZE || packets !== Math.ceil(size / 7)) {
        const on = this.severalInterfaces && iface !== undefined ? ` on ${iface}` : '';
        const problem: TransportProblem = { pgn, sourceAddress: sa, destinationAddress: da, message: `${pgnText(pgn)} from ${sa}${on}: a transport message of ${size} bytes in ${packets} packets cannot be (9-1785 bytes, 7 a packet)` };
        if (iface !== undefined) problem.interface = iface;
        problems.push(problem);
        return;
      }
      if (this.sessions.size >= this.maxSessions) {
        const [oldestKey, oldest] = this.sessions.entries().next().value as [string, Session];
        this.sessions.delete(oldestKey);
        problems.push(this.problemOf(oldest, `given up after ${oldest.received} of ${oldest.packets} packets, ${this.maxSessions} messages being under way at once`));
      }
      const priority = (frame.id >>> 26) & 7;
      this.sessions.set(key, { pgn, size, packets, priority, sourceAddress: sa, destinationAddress: da, interface: iface, chunks: new Array<Uint8Array | undefined>(packets), received: 0, next: 1, lastMs: frame.timestampMs });
      return;
    }
    if (control === ABORT) {
      // Either side may abort: the sender (sa to da) or the receiver (da to sa).
      for (const k of [key, keyOf(iface, da, sa)]) {
        const s = this.sessions.get(k);
        if (s && s.pgn === pgn) {
          this.sessions.delete(k);
          problems.push(this.problemOf(s, `aborted (reason ${d[1]}) after ${s.received} of ${s.packets} packets`));
          return;
        }
      }
      return;
    }
    // CTS and EndOfMsgAck come from the receiver (sa) to the sender (da): they say where the session is.
    const receiving = keyOf(iface, da, sa);
    const s = this.sessions.get(receiving);
    if (!s || (control !== CTS && control !== END_OF_MSG_ACK)) return;
    if (s.pgn !== pgn) {
      this.sessions.delete(receiving);
      problems.push(this.dropped(s, `the receiver answered for ${pgnText(pgn)} before packet ${s.next} of ${s.packets} (a new message whose RTS was lost here?)`));
      return;
    }
    if (control === END_OF_MSG_ACK) {
      // Complete messages have left already: the receiver has packets this listener has not.
      this.sessions.delete(receiving);
      problems.push(this.dropped(s, `the receiver acknowledged the whole message, but ${packetsText(s.next, s.packets)} of ${s.packets} never arrived here`));
      return;
    }
    s.lastMs = frame.timestampMs;
    const count = d[1]!;
    const next = d[2]!;
    // A CTS for 0 packets holds the session open; one for packets sent already asks for them again.
    if (count === 0 || next < 1) return;
    if (next > s.next) {
      this.sessions.delete(receiving);
      problems.push(this.dropped(s, `the receiver asked for packet ${next} while packet ${s.next} of ${s.packets} had not arrived here`));
      return;
    }
    s.next = next;
  }

  private data(key: string, frame: CanFrame, outcome: TransportOutcome, problems: TransportProblem[]): void {
    const s = this.sessions.get(key);
    if (!s) return;
    const d = frame.data;
    const sequence = d[0]!;
    if (sequence !== s.next) {
      this.sessions.delete(key);
      problems.push(this.dropped(s, outOfTurn(s, sequence)));
      return;
    }
    s.lastMs = frame.timestampMs;
    s.next++;
    // A packet sent again (after a CTS asking for it) replaces the first copy; copied, as a reader may reuse its buffers.
    if (!s.chunks[sequence - 1]) s.received++;
    s.chunks[sequence - 1] = d.slice(1, 8);
    if (s.received < s.packets) return;
    this.sessions.delete(key);
    const data = new Uint8Array(s.size);
    s.chunks.forEach((chunk, i) => data.set(chunk!.subarray(0, Math.min(7, s.size - i * 7)), i * 7));
    const message: CanFrame = { id: j1939Id(s.priority, s.pgn, s.destinationAddress, s.sourceAddress), extended: true, fd: false, data, timestampMs: frame.timestampMs, timestampSource: frame.timestampSource };
    if (s.interface !== undefined) message.interface = s.interface;
    outcome.message = message;
  }
}
