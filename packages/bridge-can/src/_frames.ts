import { createChangeFilter, createKeyedProblems, type BridgeContext, type Channel, type ChangeFilter, type ChangeVerdict, type KeyedProblems, type Point } from '@fieldbridge/core/bridge';
import type { CanMetrics } from './_metrics.js';
import { decodeFrame, FOLLOWS_PREVIOUS, type CanFrameProblem, type CanFrameResult } from './decode.js';
import type { CanPlan } from './decode-plan.js';
import type { CanFrame } from './frames/can-frame.js';
import type { ReplayProblem } from './frames/candump-replay.js';
import { pgnOf } from './bits/j1939.js';
import { DM1_PGN, Dm1Points, parseDm1 } from './frames/j1939-dm1.js';
import { j1939Id, J1939Transport, type TransportProblem } from './frames/j1939-transport.js';
import { samePgnMessage } from './pgn-hint.js';
import { InterfaceTags } from './_interface-tags.js';
import { formatId } from './resolve.js';

/** Ids tracked with open episodes; {@link createKeyedProblems} groups the ones past its own bound. */
const MAX_TROUBLED = 4096;
/** J1939 senders tracked with open transport episodes, one per PGN and sender (256 addresses, a few PGNs each). */
const MAX_TRANSPORT_TROUBLED = 1024;
const pgnHex = (pgn: number): string => `0x${pgn.toString(16).toUpperCase().padStart(4, '0')}`;
const transportKey = (pgn: number, sourceAddress: number, on: string): string => `PGN ${pgnHex(pgn)} from ${sourceAddress}${on}`;

/**
 * What a bus does with each frame: decode it with the plan, count it and its problems, hold
 * back what the change filter says (per series, on the frames' own clock) and emit the rest on
 * the bus's channel, once per frame. Shared by the log replay and the SocketCAN reader.
 */
export class FrameHandler {
  private readonly filters: (ChangeFilter | undefined)[];
  private readonly perId: KeyedProblems;
  private readonly prefix: string;
  private readonly suppressed = new Map<ChangeVerdict, number>();
  /** Ids (and buses) with an open short_frame / not_finite episode: while there are none, a clean frame need not name its id as text. */
  private readonly troubled = new Set<string>();
  /** J1939 transport sessions, when the plan reads messages by PGN or DM1. */
  private readonly transport: J1939Transport | undefined;
  /** Messages given up, as episodes per PGN and sender (with `transport`). */
  private readonly transportTrouble: KeyedProblems | undefined;
  /** DM1 trouble codes, with `j1939_dm1`. */
  private readonly dm1: Dm1Points | undefined;
  /** The tag `interface`, with `signal_tags: [interface]`. */
  private readonly interfaceTags: InterfaceTags | undefined;
  /** Frames by what became of them: the end of a replay says when nothing of a log was read. */
  readonly tally = { decoded: 0, unknown: 0, excluded: 0 };
  /** The first bus (frame `interface`) seen: episodes of the others' ids and senders name their bus. */
  private firstInterface: string | undefined;
  /** The change filter's clock, last read, and how far the frames' clock has stepped back in all. */
  private filterNowMs = -Infinity;
  private steppedBackMs = 0;

  constructor(
    private readonly plan: CanPlan,
    private readonly ctx: BridgeContext,
    private readonly channel: Channel,
    private readonly metrics: CanMetrics,
  ) {
    this.filters = plan.rules.map((options) => (options ? createChangeFilter(options) : undefined));
    this.prefix = `can.${plan.bus}`;
    // Short frames and non-finite floats are episodes per id: they end with the id's next clean frame.
    this.perId = createKeyedProblems(ctx.problems, { prefix: `${this.prefix}.id`, maxKeys: 4096 });
    const tagInterface = plan.signalTags.has('interface');
    this.dm1 = plan.dm1 ? new Dm1Points(plan.tags, tagInterface) : undefined;
    this.interfaceTags = tagInterface ? new InterfaceTags() : undefined;
    // Messages longer than a frame travel in J1939's transport protocol: kept for the PGNs the mapping reads (and DM1).
    this.transport =
      plan.dm1 || plan.decoder.decoders.some((d) => d.byPgn)
        ? new J1939Transport((pgn, sourceAddress, destinationAddress) => {
            if (pgn === DM1_PGN && plan.dm1) return true;
            const decoder = plan.decoder.find(j1939Id(6, pgn, destinationAddress, sourceAddress), true);
            return decoder !== undefined && decoder.byPgn && plan.messages.has(decoder);
          })
        : undefined;
    this.transportTrouble = this.transport ? createKeyedProblems(ctx.problems, { prefix: `${this.prefix}.j1939`, maxKeys: MAX_TRANSPORT_TROUBLED }) : undefined;
  }

  /**
   * Decodes, filters and emits one frame whose points are stamped `timestampMs`. The change
   * filter counts on the frames' own clock, `recordedMs`: the time written in the log even when
   * the points are moved onto the replay's clock, so that a replay of a capture keeps the points
   * the bus gave, at any pace.
   */
  handle(frame: CanFrame, timestampMs: number, recordedMs = frame.loggedMs ?? timestampMs): void {
    const bus = this.plan.bus;
    const transport = this.transport?.accept(frame);
    if (transport) {
      if (transport.problems) for (const problem of transport.problems) this.transportProblem(problem);
      // The message the frame completed goes through like any frame (it is not a transport frame).
      if (transport.message) {
        const { id } = transport.message;
        this.transportTrouble!.clean(transportKey(pgnOf(id), id & 0xff, this.on(transport.message.interface)));
        this.handle(transport.message, timestampMs, recordedMs);
      }
      // A transport frame the DBC itself defines is decoded as well; otherwise it is the transport's.
      if (!this.plan.decoder.find(frame.id, true)) {
        this.ctx.metrics.messages(bus);
        this.metrics.frame('transport');
        return;
      }
    }
    if (this.dm1 && frame.extended && !frame.error && !frame.rtr && pgnOf(frame.id) === DM1_PGN && this.troubleCodes(frame, timestampMs)) return;
    this.ctx.metrics.messages(bus);
    const result = decodeFrame(this.plan, frame, timestampMs);
    this.metrics.frame(result.outcome);
    if (result.outcome === 'decoded' || result.outcome === 'unknown' || result.outcome === 'excluded') this.tally[result.outcome]++;
    // False for an unknown id past unknown_frames.max_ids: counted, not forwarded.
    let forward = true;
    if (result.problems.length > 0) forward = this.report(result.problems, frame.interface);
    else if (this.troubled.size > 0 && result.outcome === 'decoded') {
      const key = formatId(frame.id, frame.extended) + this.on(frame.interface);
      if (this.troubled.delete(key)) this.perId.clean(key);
    }
    if (result.points.length === 0) return;
    // Decoded signals and forwarded unknown frames alike: each bus's points are its own series.
    if (this.interfaceTags && frame.interface !== undefined) this.interfaceTags.tag(result.points, frame.interface);
    if (forward) this.ctx.emit(this.channel, this.admit(result, frame.interface, this.filterClock(recordedMs)));
    else this.ctx.metrics.dropped(bus, 'unknown_ids', result.points.length);
  }

  /** A frame that arrived while the sink was full (`when_full: block`): a bus cannot wait, so its points are counted as dropped. */
  drop(frame: CanFrame): void {
    this.ctx.metrics.messages(this.plan.bus);
    this.metrics.frame('blocked');
    const result = decodeFrame(this.plan, frame, 0);
    if (result.points.length > 0) this.ctx.metrics.dropped(this.plan.bus, 'blocked', result.points.length);
  }

  /**
   * A DM1 read as trouble codes (`j1939_dm1`): its points emitted, or its problem reported. True
   * when that is all there is to it; false when a DBC defines DM1 too, for its signals.
   */
  private troubleCodes(frame: CanFrame, timestampMs: number): boolean {
    const bus = this.plan.bus;
    const dm1 = parseDm1(frame.data);
    if (typeof dm1 === 'string') {
      this.ctx.metrics.error(bus, 'dm1');
      this.ctx.problems.report(`${this.prefix}.dm1`, `${bus}: ${dm1} (from ${frame.id & 0xff}); counted (fieldbridge_source_errors_total{kind="dm1"})`, { bus });
    } else this.ctx.emit(this.channel, this.dm1!.points(frame.id & 0xff, dm1, timestampMs, frame.interface));
    if (this.plan.decoder.find(frame.id, true)) return false;
    this.ctx.metrics.messages(bus);
    this.metrics.frame('decoded');
    this.tally.decoded++;
    return true;
  }

  /** A J1939 transport message given up (a packet missing, an abort): an episode per PGN and sender, until one of its messages arrives whole. */
  private transportProblem(problem: TransportProblem): void {
    const bus = this.plan.bus;
    this.ctx.metrics.error(bus, 'j1939_transport');
    const key = transportKey(problem.pgn, problem.sourceAddress, this.on(problem.interface));
    this.transportTrouble!.report(key, 'j1939_transport', `${bus}: ${problem.message}; counted (fieldbridge_source_errors_total{kind="j1939_transport"})`, { bus, pgn: pgnHex(problem.pgn), source_address: problem.sourceAddress });
  }

  /**
   * At the end of a replay: the J1939 transport messages it ended in the middle of are given up,
   * counted, and said in one line (undefined when there were none).
   */
  endOfLog(): string | undefined {
    const left = this.transport?.giveUpAll() ?? [];
    if (left.length === 0) return undefined;
    for (let i = 0; i < left.length; i++) this.ctx.metrics.error(this.plan.bus, 'j1939_transport');
    const one = left.length === 1;
    return `the log ended in the middle of ${one ? 'a J1939 transport message' : `${left.length} J1939 transport messages`}, given up (${left.slice(0, 5).join('; ')}${left.length > 5 ? '; ...' : ''}); counted (fieldbridge_source_errors_total{kind="j1939_transport"})`;
  }

  /** A log line that gave no frame. */
  badLine(problem: ReplayProblem, file: string): void {
    const kind = problem.kind === 'malformed' ? 'malformed_line' : 'unsupported_line';
    this.ctx.metrics.error(this.plan.bus, kind);
    this.metrics.frame('malformed');
    this.ctx.problems.report(`${this.prefix}.${kind}`, `${file}:${problem.line}: ${problem.message}; such lines are skipped and counted (fieldbridge_source_errors_total{kind="${kind}"})`, { bus: this.plan.bus });
  }

  /**
   * What tells a bus's episodes (an id's, a sender's) from another's: nothing for the first bus
   * seen, ` on can1` for the others, so that a log of one bus keeps its episodes' names and one
   * of several does not end a bus's episode with another's clean frame.
   */
  private on(iface: string | undefined): string {
    if (iface === undefined) return '';
    this.firstInterface ??= iface;
    return iface === this.firstInterface ? '' : ` on ${iface}`;
  }

  /** Counts and reports a frame's problems; false when it is an unknown id beyond the ones tracked one by one. */
  private report(problems: CanFrameProblem[], iface: string | undefined): boolean {
    const bus = this.plan.bus;
    let tracked = true;
    for (const p of problems) {
      this.ctx.metrics.error(bus, p.kind);
      const id = formatId(p.id, p.extended);
      if (p.kind === 'unknown_id') {
        tracked = this.metrics.unknown(id);
        // One episode for the bus: which ids are unknown is in the metric, not the log; but one per PGN the DBC reads at another id, whose fix is in the mapping.
        const same = samePgnMessage(this.plan.exactPgns, p.id, p.extended);
        this.ctx.problems.report(
          same ? `${this.prefix}.unknown_pgn.${same.id}` : `${this.prefix}.unknown_id`,
          `${p.message} (first of its kind); frames with ids no DBC file defines are counted per id in fieldbridge_can_unknown_frames_total${this.plan.unknown.forward ? ' and forwarded as events' : ''}. bridge-can --list-signals shows what the DBC files define`,
          { bus, id },
        );
      } else if (p.kind === 'error_frame') {
        this.ctx.problems.report(`${this.prefix}.error_frame`, `${p.message}; error frames are counted (fieldbridge_source_errors_total{kind="error_frame"})`, { bus });
      } else {
        const key = id + this.on(iface);
        if (this.troubled.size < MAX_TROUBLED) this.troubled.add(key);
        this.perId.report(key, p.kind, p.message, { bus, id, message: p.messageName });
      }
    }
    return tracked;
  }

  /**
   * The frames' own clock as the change filter needs it, never going back. A log's clock can step
   * back (a logger whose clock was reset, a folder whose logs' names do not follow their times, a
   * host clock set back): the filter would take every later frame as too soon after the last one
   * sent, until the clock caught up, and hold back all of them. Time stands still instead at a
   * step back, and goes on from there, as if the two stretches were laid end to end.
   */
  private filterClock(timestampMs: number): number {
    if (timestampMs + this.steppedBackMs < this.filterNowMs) this.steppedBackMs = this.filterNowMs - timestampMs;
    this.filterNowMs = timestampMs + this.steppedBackMs;
    return this.filterNowMs;
  }

  /**
   * The points the change filter lets through; what it holds back is counted by reason. A series
   * is a metric on one bus (`iface`), and of one J1939 sender: two buses of a log hold the same
   * messages, often from the same addresses.
   */
  private admit(result: CanFrameResult, iface: string | undefined, nowMs: number): Point[] {
    const busSuffix = iface === undefined ? '' : `@${iface}`;
    const { points, rules } = result;
    let kept: Point[] | undefined;
    let lastKept = true;
    for (let i = 0; i < points.length; i++) {
      const rule = rules[i]!;
      let keep = true;
      if (rule === FOLLOWS_PREVIOUS) keep = lastKept;
      else if (rule >= 0) {
        const point = points[i]!;
        const series = result.sourceAddress === undefined ? point.metric + busSuffix : `${point.metric}#${result.sourceAddress}${busSuffix}`;
        const verdict = this.filters[rule]!.admit(series, point.value, nowMs);
        if (verdict !== 'pass') {
          keep = false;
          this.suppressed.set(verdict, (this.suppressed.get(verdict) ?? 0) + 1);
        }
      }
      lastKept = keep;
      // Most frames keep every point: copy only once one is held back.
      if (!keep && kept === undefined) kept = points.slice(0, i);
      else if (keep && kept !== undefined) kept.push(points[i]!);
    }
    if (this.suppressed.size > 0) {
      for (const [reason, count] of this.suppressed) this.ctx.metrics.suppressed(this.plan.bus, reason, count);
      this.suppressed.clear();
    }
    return kept ?? points;
  }
}
