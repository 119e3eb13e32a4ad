import type { FieldRecord } from './field-record.js';
import { DEFAULT_SELECTION, type MessageSelection } from './default-fields.js';
import { createDuplicateFrames } from './duplicate-frames.js';
import type { DeviceClockOptions } from '@fieldbridge/core/bridge';
import type { Dialect, MessageDef } from './dialect.js';
import { readHeartbeat } from './flight-mode.js';
import { compileMessagePlan, type MessagePlan } from './message-plan.js';
import { bootTimeOf, createMessageTimer, timeFieldOf, type TimeSource } from './message-time.js';
import type { ParseCounts, ParseProblem } from './parse-problems.js';
import type { ParseResult } from './parser.js';
import { createRouteChoice, type RouteChoiceSnapshot } from './routes.js';
import { compileSenderFilter } from './sender-filter.js';
import type { SigningOptions } from './signing.js';
import { createStreamParsers, type StreamParsers, type StreamPushOptions } from './stream-parsers.js';
import { createStatusTextAssembler, readStatusTextChunk, type AssembledStatusText } from './statustext-chunks.js';
import { createVehicleTracker, type RouteSnapshot, type VehicleEvent, type VehicleSnapshot } from './vehicle-tracker.js';

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

/** Options of one {@link MavlinkReader.read}. */
export interface ReadOptions extends StreamPushOptions {
  /**
   * The route the bytes came over (`LinkChunk.peer`: `udp:10.0.0.7:14550`, a TCP client, the
   * serial port). A vehicle heard over several is read from one at a time (see `routes.ts`),
   * and each route's loss is counted on its own. Default `''`: the link's one route.
   */
  route?: string;
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
   * several (tcpin: one per client), each parsed on its own; `options.route` the route it came
   * over. Never throws for any bytes.
   */
  read(bytes: Uint8Array, atMs: number, options?: ReadOptions): ReadResult;
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
  /** Every system seen, with its routes (which one is in use, and each one's loss). */
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
  const routes = createRouteChoice(options.linkTimeoutMs === undefined ? {} : { linkTimeoutMs: options.linkTimeoutMs });
  /** The route each byte stream came over last: what its parser still holds came over it. */
  const streamRoutes = new Map<string, string>();
  const statusTexts = createStatusTextAssembler<HeldChunk>();

  /** A long STATUSTEXT put together: its first chunk's message with the whole text. */
  const assembled = (done: AssembledStatusText<HeldChunk>): DecodedMessage => {
    const { message, def, payload } = done.first;
    return { ...message, fields: plan.fields(def, payload, { text: done.text })!.fields };
  };

  function digest(parsed: ParseResult, atMs: number, route: string, final = false): ReadResult {
    const out: ReadResult = { messages: [], events: [], problems: parsed.problems };
    if (statusTexts.held() > 0) for (const done of statusTexts.expire(atMs)) out.messages.push(assembled(done));
    // Frames of messages the tables do not have still carry sequence numbers: counted in their place among the frames.
    const unknown = parsed.problems.filter((p) => p.whole !== undefined && (!reads || reads(p.sysid!, p.compid!, p.msgid!)));
    let nextUnknown = 0;
    const countUnknown = (before: number): void => {
      for (; nextUnknown < unknown.length && unknown[nextUnknown]!.whole!.before <= before; nextUnknown++) {
        const p = unknown[nextUnknown]!;
        tracker.counted({ sysid: p.sysid!, compid: p.compid!, seq: p.whole!.seq }, atMs, route);
      }
    };
    for (const [index, frame] of parsed.frames.entries()) {
      if (unknown.length > nextUnknown) countUnknown(index);
      if (reads && !reads(frame.sysid, frame.compid, frame.msgid)) {
        filtered += 1;
        continue;
      }
      const { sysid, compid, message, payload } = frame;
      const heartbeat = frame.msgid === 0 ? readHeartbeat(payload) : undefined;
      const original = copies.find(frame, atMs);
      if (original?.read) {
        // The same frame over a second route: its points were made from the first. Over a route
        // of its own it is that route's frame, in its sequence; over the same route it is not.
        if (original.route === route) tracker.copied(sysid, compid);
        else {
          routes.copied(sysid, route, original.route, atMs);
          out.events.push(...routes.take(), ...tracker.observe(frame, atMs, heartbeat, { route, role: 'copy' }));
        }
        continue;
      }
      // A signed frame again, its original not remembered here (the replay guard keeps more of a
      // stream's frames): a copy all the same, not read twice.
      if (frame.signature?.copy && !original) {
        tracker.copied(sysid, compid);
        continue;
      }
      // Which route the vehicle's message is read from: another port's stream of it is not read again.
      const verdict = routes.admit({ sysid, compid, msgid: frame.msgid, name: message.name, payload }, route, atMs, () => bootTimeOf(message, payload), original?.route);
      copies.remember(frame, atMs, route, verdict === 'read');
      const routeEvents = routes.take();
      if (routeEvents.length > 0) out.events.push(...routeEvents);
      if (verdict !== 'read') {
        const events = tracker.observe(frame, atMs, heartbeat, { route, role: 'standby' });
        if (events.length > 0) out.events.push(...events);
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
        if (placed.bootMs !== undefined) routes.placed(frame, route, atMs, placed.bootMs);
        // Before the frame is counted: its sequence number starts over.
        if (restarted) out.events.push(...tracker.restarted(sysid, compid, atMs));
      }
      const events = tracker.observe(frame, atMs, heartbeat, { route });
      if (events.length > 0) out.events.push(...events);
      // The boot clock went on: a gap since a silence (this frame's too) was frames lost, not a reboot.
      if (time === 'boot' && !restarted) tracker.continued(sysid, compid, route);
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
    read(bytes, atMs, readOptions = {}) {
      const route = readOptions.route ?? '';
      // Bounded by the link's streams (tcpin: its clients; the others have one).
      streamRoutes.set(readOptions.stream ?? '', route);
      return digest(parser.push(bytes, readOptions), atMs, route);
    },
    end(atMs, stream) {
      // One client of several leaving settles its own bytes; a long status text waits for its other chunks (or expires).
      if (stream !== undefined) {
        const route = streamRoutes.get(stream) ?? '';
        if (stream !== '') streamRoutes.delete(stream);
        return digest(parser.end(stream), atMs, route);
      }
      // Every stream settled, each as from its route; long status texts go out with the last.
      const out: ReadResult = { messages: [], events: [], problems: [] };
      const ended = parser.endEach();
      ended.forEach(({ stream: name, result }, i) => {
        const part = digest(result, atMs, streamRoutes.get(name) ?? '', i === ended.length - 1);
        out.messages.push(...part.messages);
        out.events.push(...part.events);
        out.problems.push(...part.problems);
      });
      return out;
    },
    held: () => parser.held(),
    check: (nowMs) => tracker.check(nowMs),
    vehicles: () => tracker.vehicles().map((v) => withRoutes(v, routes.snapshot(v.sysid))),
    counts: () => ({ ...parser.counts(), filtered }),
  };
}

/** The tracker's routes of a vehicle, with what the route choice says of each. */
function withRoutes(v: VehicleSnapshot, chosen: RouteChoiceSnapshot[]): VehicleSnapshot {
  if (chosen.length === 0) return v;
  const byName = new Map(chosen.map((c) => [c.route, c]));
  const routes = v.routes.map((r): RouteSnapshot => {
    const c = byName.get(r.route);
    if (!c) return r;
    const out: RouteSnapshot = { ...r, inUse: c.inUse, standby: c.standby + c.behind + c.copies };
    if (c.mirrors !== undefined) out.mirrors = c.mirrors;
    return out;
  });
  return { ...v, routes };
}

function isPlan(value: MessageSelection | MessagePlan | undefined): value is MessagePlan {
  return typeof value === 'object' && value !== null && typeof (value as MessagePlan).fields === 'function' && 'dialect' in value;
}
