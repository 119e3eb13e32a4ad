import type { FieldRecord } from './field-record.js';
import { DEFAULT_SELECTION, type MessageSelection } from './default-fields.js';
import { createDuplicateFrames } from './duplicate-frames.js';
import type { DeviceClockOptions } from '@fieldbridge/core/bridge';
import type { Dialect, MessageDef } from './dialect.js';
import { readHeartbeat } from './flight-mode.js';
import { compileMessagePlan, type MessagePlan } from './message-plan.js';
import { createMessageTimer, timeFieldOf, type TimeSource } from './message-time.js';
import type { ParseCounts, ParseProblem } from './parse-problems.js';
import type { ParseResult } from './parser.js';
import { compileSenderFilter } from './sender-filter.js';
import type { SigningOptions } from './signing.js';
import { createStreamParsers, type StreamParsers, type StreamPushOptions } from './stream-parsers.js';
import { createStatusTextAssembler, readStatusTextChunk, type AssembledStatusText } from './statustext-chunks.js';
import { createVehicleTracker, type VehicleEvent, type VehicleSnapshot } from './vehicle-tracker.js';

/** Options of {@link createMavlinkReader}. */
export interface ReaderOptions {
  dialect: Dialect;
  /** What to make records from: a selection (default {@link DEFAULT_SELECTION}) or a plan compiled before. */
  messages?: MessageSelection | MessagePlan;
  /** Check signatures with this key (see `SigningOptions`). */
  signing?: SigningOptions;
  /** ms without a HEARTBEAT before a system's link is lost. Default 5,000. */
  linkTimeoutMs?: number;
  /** Options of each sender's boot clock estimator. */
  deviceClock?: DeviceClockOptions;
  /** Only frames from these system ids; default every system. A telemetry radio's RADIO_STATUS is read all the same (`isRadioReport`). */
  systems?: readonly number[];
  /** Only frames from these component ids; default every component (a radio's RADIO_STATUS as above). */
  components?: readonly number[];
}

/** One selected message, decoded and placed in time. */
export interface DecodedMessage {
  sysid: number;
  compid: number;
  msgid: number;
  /** Upper-case message name, e.g. `ATTITUDE`. */
  name: string;
  seq: number;
  version: 1 | 2;
  /** True for a signed frame (verified when a key is set). */
  signed: boolean;
  /** ms since the epoch (see `time`). */
  timestampMs: number;
  time: TimeSource;
  /** Battery id, sensor id... for messages with several instances. */
  instance?: number | string;
  fields: FieldRecord[];
}

/** What one read gave. */
export interface ReadResult {
  messages: DecodedMessage[];
  events: VehicleEvent[];
  problems: ParseProblem[];
}

/** Bytes in, vehicle state out: the parser, the message plan, the boot clocks and the vehicle tracker together. */
export interface MavlinkReader {
  readonly plan: MessagePlan;
  /**
   * Reads a chunk received at local wall time `atMs` (the bridge's corrected clock, or a `.tlog`
   * record's time). `options.stream` names the byte stream it continues when the link carries
   * several (tcpin: one per client), each parsed on its own. Never throws for any bytes.
   */
  read(bytes: Uint8Array, atMs: number, options?: StreamPushOptions): ReadResult;
  /**
   * The byte stream ended (a connection closed) or went quiet: settles what the parser held, as
   * if no more bytes would follow. Reading may go on afterwards. With `stream`, only that stream
   * ended (a tcpin client left), and its parser is forgotten.
   */
  end(atMs: number, stream?: string): ReadResult;
  /** Bytes held for a frame the parser cannot settle yet (it waits for the bytes after them). */
  held(): number;
  /** Link timeouts at `nowMs` (call on a timer). */
  check(nowMs: number): readonly VehicleEvent[];
  vehicles(): VehicleSnapshot[];
  /** The parser's totals, and frames dropped by the `systems`/`components` filters. */
  counts(): ParseCounts & { filtered: number };
}

/** STATUSTEXT's message id. */
const STATUSTEXT_ID = 253;

/** The first chunk of a long STATUSTEXT, kept until the text is whole. */
interface HeldChunk {
  message: DecodedMessage;
  def: MessageDef;
  payload: Uint8Array;
}

/** Creates a reader for one link. Pure: no I/O, no timers; time comes in with the bytes. */
export function createMavlinkReader(options: ReaderOptions): MavlinkReader {
  const plan = isPlan(options.messages) ? options.messages : compileMessagePlan(options.dialect, options.messages ?? DEFAULT_SELECTION);
  const parser: StreamParsers = createStreamParsers({ dialect: options.dialect, ...(options.signing ? { signing: options.signing } : {}) });
  const timer = createMessageTimer(options.deviceClock ? { deviceClock: options.deviceClock } : {});
  const tracker = createVehicleTracker(options.linkTimeoutMs === undefined ? {} : { linkTimeoutMs: options.linkTimeoutMs });
  const reads = compileSenderFilter({ systems: options.systems, components: options.components });
  let filtered = 0;
  const copies = createDuplicateFrames();
  const statusTexts = createStatusTextAssembler<HeldChunk>();

  /** A long STATUSTEXT put together: its first chunk's message with the whole text. */
  const assembled = (done: AssembledStatusText<HeldChunk>): DecodedMessage => {
    const { message, def, payload } = done.first;
    return { ...message, fields: plan.fields(def, payload, { text: done.text })!.fields };
  };

  function digest(parsed: ParseResult, atMs: number, final = false): ReadResult {
    const out: ReadResult = { messages: [], events: [], problems: parsed.problems };
    if (statusTexts.held() > 0) for (const done of statusTexts.expire(atMs)) out.messages.push(assembled(done));
    // Frames of messages the tables do not have still carry sequence numbers: counted in their place among the frames.
    const unknown = parsed.problems.filter((p) => p.whole !== undefined && (!reads || reads(p.sysid!, p.compid!, p.msgid!)));
    let nextUnknown = 0;
    const countUnknown = (before: number): void => {
      for (; nextUnknown < unknown.length && unknown[nextUnknown]!.whole!.before <= before; nextUnknown++) {
        const p = unknown[nextUnknown]!;
        tracker.counted({ sysid: p.sysid!, compid: p.compid!, seq: p.whole!.seq }, atMs);
      }
    };
    for (const [index, frame] of parsed.frames.entries()) {
      if (unknown.length > nextUnknown) countUnknown(index);
      if (reads && !reads(frame.sysid, frame.compid, frame.msgid)) {
        filtered += 1;
        continue;
      }
      const { sysid, compid, message, payload } = frame;
      // The same frame over a second route: its points were made from the first.
      if (copies.copy(frame, atMs)) {
        tracker.copied(sysid, compid);
        continue;
      }
      const selected = plan.selects(frame.msgid);
      let timestampMs = atMs;
      let time: TimeSource = 'arrival';
      let restarted = false;
      // Every message with a time field feeds its sender's clock, selected or not: more samples, earlier reboots.
      if (timeFieldOf(message)) {
        const placed = timer.place(sysid, compid, message, payload, atMs);
        timestampMs = placed.timestampMs;
        time = placed.source;
        restarted = placed.restarted;
        // Before the frame is counted: its sequence number starts over.
        if (restarted) out.events.push(...tracker.restarted(sysid, compid, atMs));
      }
      const events = tracker.observe(frame, atMs, frame.msgid === 0 ? readHeartbeat(payload) : undefined);
      if (events.length > 0) out.events.push(...events);
      // The boot clock went on: a gap since a silence (this frame's too) was frames lost, not a reboot.
      if (time === 'boot' && !restarted) tracker.continued(sysid, compid);
      if (!selected) continue;
      const decoded = plan.fields(message, payload)!;
      const msg: DecodedMessage = {
        sysid, compid, msgid: frame.msgid, name: message.name, seq: frame.seq, version: frame.version,
        signed: frame.signature !== undefined, timestampMs, time, fields: decoded.fields,
      };
      if (decoded.instance !== undefined) msg.instance = decoded.instance;
      const chunk = frame.msgid === STATUSTEXT_ID ? readStatusTextChunk(message, payload, sysid, compid) : undefined;
      if (chunk && chunk.id !== 0) {
        // Held until the text is whole: the payload is a view into bytes the parser reuses.
        for (const done of statusTexts.take(chunk, { message: msg, def: message, payload: payload.slice() }, atMs)) out.messages.push(assembled(done));
        continue;
      }
      out.messages.push(msg);
    }
    countUnknown(parsed.frames.length);
    if (final) for (const done of statusTexts.flush()) out.messages.push(assembled(done));
    return out;
  }

  return {
    plan,
    read: (bytes, atMs, pushOptions) => digest(parser.push(bytes, pushOptions), atMs),
    // One client of several leaving settles its own bytes; a long status text waits for its other chunks (or expires).
    end: (atMs, stream) => digest(parser.end(stream), atMs, stream === undefined),
    held: () => parser.held(),
    check: (nowMs) => tracker.check(nowMs),
    vehicles: () => tracker.vehicles(),
    counts: () => ({ ...parser.counts(), filtered }),
  };
}

function isPlan(value: MessageSelection | MessagePlan | undefined): value is MessagePlan {
  return typeof value === 'object' && value !== null && typeof (value as MessagePlan).fields === 'function' && 'dialect' in value;
}
