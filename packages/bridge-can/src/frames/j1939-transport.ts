import type { CanFrame } from './can-frame.js';

/**
 * SAE J1939-21's transport protocol, as a listener on the bus hears it: messages of 9 to 1,785
 * bytes travel as a connection-management frame (TP.CM, PGN 0xEC00: BAM to everyone, or RTS to
 * one node, which answers CTS and, at the end, EndOfMsgAck) and data frames (TP.DT, PGN 0xEB00:
 * a sequence number 1-255 and 7 bytes each). Sessions are kept per sender and destination; a
 * message whose packets have all arrived comes out as one frame with the message's own id and
 * data, stamped with its last packet's time.
 */

/** What one frame meant to the transport protocol. */
export interface TransportOutcome {
  /** The message this frame completed: its id (priority, PGN, destination, sender) and all its bytes. */
  message?: CanFrame;
  /** A message under way that was given up, and why. */
  problem?: string;
}

const TP_CM = 0xec;
const TP_DT = 0xeb;
const RTS = 16;
const BAM = 32;
const ABORT = 255;
/** The longest gap between a session's frames before it is given up: J1939-21's T2/T3 (1,250 ms). */
const MAX_GAP_MS = 1250;
const MAX_SIZE = 1785;

interface Session {
  pgn: number;
  size: number;
  packets: number;
  priority: number;
  sourceAddress: number;
  destinationAddress: number;
  chunks: (Uint8Array | undefined)[];
  received: number;
  lastMs: number;
}

/** The 29-bit id a message of `pgn` from `sa` to `da` has (PDU1 PGNs carry the destination in PS). */
export function j1939Id(priority: number, pgn: number, destinationAddress: number, sourceAddress: number): number {
  const pf = (pgn >>> 8) & 0xff;
  const ps = pf < 240 ? destinationAddress : pgn & 0xff;
  return ((priority & 7) * 0x4000000 + ((pgn >>> 16) & 3) * 0x1000000 + pf * 0x10000 + ps * 0x100 + (sourceAddress & 0xff)) >>> 0;
}

const pgnText = (pgn: number): string => `PGN 0x${pgn.toString(16).toUpperCase().padStart(4, '0')}`;
const describe = (s: Session): string => `${pgnText(s.pgn)} from ${s.sourceAddress} to ${s.destinationAddress === 0xff ? 'all' : s.destinationAddress}`;

/**
 * Reassembles J1939 transport sessions from the frames of one bus, in order. `wants` says which
 * PGNs, from which sender to which destination, are worth reassembling (others are still recognised as transport frames, not kept).
 * Bounded: at most `maxSessions` messages under way (the oldest is given up for a new one).
 */
export class J1939Transport {
  private readonly sessions = new Map<number, Session>();

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
    const sa = frame.id & 0xff;
    const da = (frame.id >>> 8) & 0xff;
    const key = sa * 256 + da;
    const d = frame.data;
    if (format === TP_DT) return this.data(key, d, frame);
    const control = d[0]!;
    const pgn = d[5]! | (d[6]! << 8) | ((d[7]! & 3) << 16);
    if (control === RTS || control === BAM) {
      const size = d[1]! | (d[2]! << 8);
      const packets = d[3]!;
      const replaced = this.sessions.get(key);
      this.sessions.delete(key);
      const outcome: TransportOutcome = {};
      if (replaced) outcome.problem = `${describe(replaced)}: a new message began after ${replaced.received} of ${replaced.packets} packets`;
      if (!this.wants(pgn, sa, da)) return outcome;
      if (size < 9 || size > MAX_SIZE || packets !== Math.ceil(size / 7)) {
        outcome.problem = `${pgnText(pgn)} from ${sa}: a transport message of ${size} bytes in ${packets} packets cannot be (9-1785 bytes, 7 a packet)`;
        return outcome;
      }
      if (this.sessions.size >= this.maxSessions) {
        const [oldestKey, oldest] = this.sessions.entries().next().value as [number, Session];
        this.sessions.delete(oldestKey);
        outcome.problem = `${describe(oldest)}: given up after ${oldest.received} of ${oldest.packets} packets, ${this.maxSessions} messages being under way at once`;
      }
      const priority = (frame.id >>> 26) & 7;
      this.sessions.set(key, { pgn, size, packets, priority, sourceAddress: sa, destinationAddress: da, chunks: new Array<Uint8Array | undefined>(packets), received: 0, lastMs: frame.timestampMs });
      return outcome;
    }
    if (control === ABORT) {
      // Either side may abort: the sender (sa to da) or the receiver (da to sa).
      for (const k of [key, da * 256 + sa]) {
        const s = this.sessions.get(k);
        if (s && s.pgn === pgn) {
          this.sessions.delete(k);
          return { problem: `${describe(s)}: aborted (reason ${d[1]}) after ${s.received} of ${s.packets} packets` };
        }
      }
      return {};
    }
    // CTS and EndOfMsgAck come from the receiver: the data frames say all a listener needs.
    return {};
  }

  /**
   * The messages still under way, each as `PGN 0xFEEC from 129 to all: 1 of 3 packets`, given up
   * (a log ended before their last packet).
   */
  giveUpAll(): string[] {
    const left = [...this.sessions.values()].map((s) => `${describe(s)}: ${s.received} of ${s.packets} packets`);
    this.sessions.clear();
    return left;
  }

  private data(key: number, d: Uint8Array, frame: CanFrame): TransportOutcome {
    const s = this.sessions.get(key);
    if (!s) return {};
    if (frame.timestampMs - s.lastMs > MAX_GAP_MS) {
      this.sessions.delete(key);
      return { problem: `${describe(s)}: no packet for ${Math.round(frame.timestampMs - s.lastMs)} ms after ${s.received} of ${s.packets} (J1939-21 allows ${MAX_GAP_MS})` };
    }
    s.lastMs = frame.timestampMs;
    const sequence = d[0]!;
    if (sequence < 1 || sequence > s.packets) return { problem: `${describe(s)}: a packet numbered ${sequence}, outside 1-${s.packets}, ignored` };
    // A packet sent again (after a CTS asking for it) replaces the first copy; copied, as a reader may reuse its buffers.
    if (!s.chunks[sequence - 1]) s.received++;
    s.chunks[sequence - 1] = d.slice(1, 8);
    if (s.received < s.packets) return {};
    this.sessions.delete(key);
    const data = new Uint8Array(s.size);
    s.chunks.forEach((chunk, i) => data.set(chunk!.subarray(0, Math.min(7, s.size - i * 7)), i * 7));
    const message: CanFrame = { id: j1939Id(s.priority, s.pgn, s.destinationAddress, s.sourceAddress), extended: true, fd: false, data, timestampMs: frame.timestampMs, timestampSource: frame.timestampSource };
    if (frame.interface !== undefined) message.interface = frame.interface;
    return { message };
  }
}
