import { flightModeName, isArmed, isAutopilot, type Heartbeat } from './flight-mode.js';
import { clockContinued, clockRestarted, countFrame, createSequenceState, type SequenceState } from './sequence-loss.js';

/** Something that happened to a vehicle, for the bridge to turn into an event point. */
export type VehicleEvent =
  /**
   * A system is on the link, described by its autopilot (`compid`, `type`, `autopilot` of its
   * first HEARTBEAT from component 1 or one whose autopilot is not `MAV_AUTOPILOT_INVALID`). A
   * gimbal's, camera's or companion's heartbeat heard first waits for the autopilot's for one
   * heartbeat period: when that component's next heartbeat comes first (an autopilot heartbeats
   * as often), the system has none (a ground station, a lone companion) and is found as that
   * first heartbeat describes it (`atMs` its time); so is one whose heartbeat never repeats, once
   * the link timeout passed. An autopilot heard after that is found again, described as itself:
   * at most two per system, the last one describing it.
   */
  | { kind: 'vehicle.found'; sysid: number; compid: number; atMs: number; type: number; autopilot: number }
  /** No HEARTBEAT from the system for the link timeout. */
  | { kind: 'link.lost'; sysid: number; atMs: number; lastHeartbeatMs: number }
  /** A HEARTBEAT after `link.lost`. */
  | { kind: 'link.restored'; sysid: number; atMs: number; downMs: number }
  /** An autopilot's flight mode, on its first heartbeat (`previous` absent) and whenever it changes. */
  | { kind: 'mode.changed'; sysid: number; compid: number; atMs: number; mode: string; previous?: string; customMode: number }
  /** An autopilot's armed state, on its first heartbeat (`previous` absent) and whenever it changes. */
  | { kind: 'armed.changed'; sysid: number; compid: number; atMs: number; armed: boolean; previous?: boolean }
  /** A component's boot clock went back: it rebooted (its sequence numbers start over). */
  | { kind: 'vehicle.restarted'; sysid: number; compid: number; atMs: number }
  /**
   * Frames of the system received and lost (from sequence numbers) since its previous
   * `link.stats` (the first counts from the system's first frame): given with each HEARTBEAT of
   * its autopilot (the lowest component id that is one; without an autopilot, the lowest
   * component that sends heartbeats). Summed, they are every frame up to the last heartbeat,
   * except that frames missing across a silence count once the component's boot clock has shown
   * it did not reboot, in a later one.
   */
  | { kind: 'link.stats'; sysid: number; atMs: number; received: number; lost: number };

/** Options of {@link createVehicleTracker}. */
export interface VehicleTrackerOptions {
  /** ms without a HEARTBEAT after which a system's link is lost. Default 5,000. */
  linkTimeoutMs?: number;
  /** Components tracked per system; frames of further ones count for the system's link only. Default 32. */
  maxComponents?: number;
}

/** One component of a system, as seen so far. */
export interface ComponentSnapshot {
  compid: number;
  /** Frames received (duplicates excluded). */
  received: number;
  /** Frames missing from the sequence numbers. */
  lost: number;
  /** Copies of frames already received (a duplicated route), and frames that repeated the previous sequence number. */
  duplicates: number;
  /** The last HEARTBEAT, when the component sends them. */
  heartbeat?: Heartbeat;
  flightMode?: string;
  armed?: boolean;
}

/** One system (vehicle, ground station, companion) as seen so far. */
export interface VehicleSnapshot {
  sysid: number;
  /** True between a HEARTBEAT and the link timeout. */
  linkUp: boolean;
  lastHeartbeatMs?: number;
  /** Sum over the components. */
  received: number;
  lost: number;
  /** lost / (received + lost); undefined before any frame. */
  lossRatio?: number;
  /** The autopilot's flight mode and armed state (the lowest component id that is an autopilot). */
  flightMode?: string;
  armed?: boolean;
  components: ComponentSnapshot[];
}

/**
 * The state of every system on a link, pure: frames and times in, events out; time is whatever
 * the caller passes (the bridge's clock, a `.tlog` record's time, a test's number).
 */
export interface VehicleTracker {
  /** A frame from (`sysid`, `compid`) with sequence `seq` at `atMs`; `heartbeat` when it is one. */
  observe(frame: { sysid: number; compid: number; seq: number }, atMs: number, heartbeat?: Heartbeat): readonly VehicleEvent[];
  /**
   * A component rebooted (its boot clock went back): sequence tracking starts over, a gap held
   * since a silence is dropped. Call it before {@link observe} of the frame that showed it.
   */
  restarted(sysid: number, compid: number, atMs: number): readonly VehicleEvent[];
  /**
   * A message of the component showed its boot clock going on (no reboot): a gap held since a
   * silence was frames lost, counted when measurable. Call it after {@link observe} of that frame.
   */
  continued(sysid: number, compid: number): void;
  /**
   * A frame of a message the dialect does not have, from a component already heard in valid
   * frames (`whole` in the parser's problem): its sequence number is counted, so that a vehicle
   * sending messages newer than the tables shows no loss for them. A component not heard yet is
   * left alone (the frame cannot be checked: it may be noise naming any system).
   */
  counted(frame: { sysid: number; compid: number; seq: number }, atMs: number): void;
  /** A copy of a frame already observed (it came over a second route): counted as a duplicate, not as received or lost. */
  copied(sysid: number, compid: number): void;
  /** Links without a HEARTBEAT for the timeout at `nowMs` are lost. Call it on a timer (every second or so). */
  check(nowMs: number): readonly VehicleEvent[];
  /** Every system seen, by system id. */
  vehicles(): VehicleSnapshot[];
}

interface Component extends SequenceState {
  compid: number;
  heartbeat?: Heartbeat;
  flightMode?: string;
  armed?: boolean;
}

interface System {
  sysid: number;
  components: Map<number, Component>;
  lastHeartbeatMs?: number;
  linkUp: boolean;
  /** Totals at the last `link.stats`. */
  statsBase: { received: number; lost: number };
  /** What the last `vehicle.found` described: none given yet, another component, the autopilot. */
  described: 'none' | 'other' | 'autopilot';
  /** Before it is found: the first heartbeat heard, of a component that is not an autopilot. */
  firstHeard?: { compid: number; heartbeat: Heartbeat; atMs: number };
}

/** Whether a heartbeat describes the vehicle itself: its autopilot's (component 1, or an autopilot type other than invalid). */
const describesVehicle = (compid: number, hb: Heartbeat): boolean => compid === 1 || isAutopilot(hb);

const foundEvent = (sysid: number, compid: number, hb: Heartbeat, atMs: number): VehicleEvent => ({ kind: 'vehicle.found', sysid, compid, atMs, type: hb.type, autopilot: hb.autopilot });

/** The system is found as the first heartbeat of a component that is not an autopilot describes it. */
function foundFirstHeard(s: System, events: VehicleEvent[]): void {
  const first = s.firstHeard!;
  events.push(foundEvent(s.sysid, first.compid, first.heartbeat, first.atMs));
  s.described = 'other';
  delete s.firstHeard;
}

const NONE: readonly VehicleEvent[] = Object.freeze([]);

/**
 * Creates a tracker. Packet loss per component from its 8-bit sequence numbers (see
 * `countFrame`): a gap of n (modulo 256, so wrap-around is free) counts n lost; a repeated number
 * is a duplicate; a gap after a silence waits for the component's boot clock ({@link
 * VehicleTracker.continued} or {@link VehicleTracker.restarted}), since a rebooted sender starts
 * its sequence over; after a silence longer than the link timeout or a reboot the count starts
 * over. Bounded: 256 systems, `maxComponents` each.
 * Throws a RangeError for options out of range.
 */
export function createVehicleTracker(options: VehicleTrackerOptions = {}): VehicleTracker {
  const linkTimeoutMs = options.linkTimeoutMs ?? 5_000;
  const maxComponents = options.maxComponents ?? 32;
  if (!(linkTimeoutMs > 0 && Number.isFinite(linkTimeoutMs))) throw new RangeError(`linkTimeoutMs must be a positive number of ms (got ${linkTimeoutMs})`);
  if (!(Number.isInteger(maxComponents) && maxComponents >= 1 && maxComponents <= 256)) throw new RangeError(`maxComponents must be an integer from 1 to 256 (got ${maxComponents})`);
  const systems = new Map<number, System>();

  const systemOf = (sysid: number): System => {
    let s = systems.get(sysid);
    if (!s) systems.set(sysid, (s = { sysid, components: new Map(), linkUp: false, statsBase: { received: 0, lost: 0 }, described: 'none' }));
    return s;
  };

  function heartbeatEvents(s: System, c: Component | undefined, compid: number, hb: Heartbeat, atMs: number): VehicleEvent[] {
    const events: VehicleEvent[] = [];
    if (s.described === 'none') {
      if (describesVehicle(compid, hb)) {
        events.push(foundEvent(s.sysid, compid, hb, atMs));
        s.described = 'autopilot';
        delete s.firstHeard;
      } else if (s.firstHeard?.compid === compid) {
        // A heartbeat period passed without an autopilot's: the system has none, for now.
        foundFirstHeard(s, events);
      } else {
        s.firstHeard ??= { compid, heartbeat: hb, atMs };
      }
    } else {
      if (!s.linkUp && s.lastHeartbeatMs !== undefined) events.push({ kind: 'link.restored', sysid: s.sysid, atMs, downMs: atMs - s.lastHeartbeatMs });
      if (s.described === 'other' && describesVehicle(compid, hb)) {
        events.push(foundEvent(s.sysid, compid, hb, atMs));
        s.described = 'autopilot';
      }
    }
    s.linkUp = true;
    s.lastHeartbeatMs = atMs;
    if (!c) return events;
    c.heartbeat = hb;
    if (statsComponent(s) === c) linkStats(s, atMs, events);
    if (!isAutopilot(hb)) return events;
    const mode = flightModeName(hb)!;
    if (mode !== c.flightMode) {
      const event: VehicleEvent = { kind: 'mode.changed', sysid: s.sysid, compid, atMs, mode, customMode: hb.customMode };
      if (c.flightMode !== undefined) event.previous = c.flightMode;
      events.push(event);
      c.flightMode = mode;
    }
    const armed = isArmed(hb.baseMode);
    if (armed !== c.armed) {
      const event: VehicleEvent = { kind: 'armed.changed', sysid: s.sysid, compid, atMs, armed };
      if (c.armed !== undefined) event.previous = c.armed;
      events.push(event);
      c.armed = armed;
    }
    return events;
  }

  function linkStats(s: System, atMs: number, events: VehicleEvent[]): void {
    let received = 0;
    let lost = 0;
    for (const c of s.components.values()) {
      received += c.received;
      lost += c.lost;
    }
    events.push({ kind: 'link.stats', sysid: s.sysid, atMs, received: received - s.statsBase.received, lost: lost - s.statsBase.lost });
    s.statsBase = { received, lost };
  }

  return {
    observe(frame, atMs, heartbeat) {
      const s = systemOf(frame.sysid);
      let c = s.components.get(frame.compid);
      if (!c && s.components.size < maxComponents) {
        c = { ...createSequenceState(atMs), compid: frame.compid };
        s.components.set(frame.compid, c);
      }
      if (c) countFrame(c, frame.seq, atMs, linkTimeoutMs);
      return heartbeat ? heartbeatEvents(s, c, frame.compid, heartbeat, atMs) : NONE;
    },
    restarted(sysid, compid, atMs) {
      const c = systems.get(sysid)?.components.get(compid);
      if (c) clockRestarted(c);
      return [{ kind: 'vehicle.restarted', sysid, compid, atMs }];
    },
    counted(frame, atMs) {
      const c = systems.get(frame.sysid)?.components.get(frame.compid);
      if (c) countFrame(c, frame.seq, atMs, linkTimeoutMs);
    },
    copied(sysid, compid) {
      const c = systems.get(sysid)?.components.get(compid);
      if (c) c.duplicates += 1;
    },
    continued(sysid, compid) {
      const c = systems.get(sysid)?.components.get(compid);
      if (c) clockContinued(c);
    },
    check(nowMs) {
      let events: VehicleEvent[] | undefined;
      for (const s of systems.values()) {
        // A heartbeat that was not repeated, and no autopilot's within the link timeout: the system has none.
        if (s.firstHeard && nowMs - s.firstHeard.atMs >= linkTimeoutMs) foundFirstHeard(s, (events ??= []));
        if (s.linkUp && s.lastHeartbeatMs !== undefined && nowMs - s.lastHeartbeatMs > linkTimeoutMs) {
          s.linkUp = false;
          (events ??= []).push({ kind: 'link.lost', sysid: s.sysid, atMs: nowMs, lastHeartbeatMs: s.lastHeartbeatMs });
        }
      }
      return events ?? NONE;
    },
    vehicles() {
      return [...systems.values()].sort((a, b) => a.sysid - b.sysid).map(snapshot);
    },
  };
}

/** The component whose heartbeats carry the system's `link.stats`: its autopilot, else its lowest component with heartbeats. */
function statsComponent(s: System): Component | undefined {
  let pilot: Component | undefined;
  let lowest: Component | undefined;
  for (const c of s.components.values()) {
    if (!c.heartbeat) continue;
    if (isAutopilot(c.heartbeat) && (!pilot || c.compid < pilot.compid)) pilot = c;
    if (!lowest || c.compid < lowest.compid) lowest = c;
  }
  return pilot ?? lowest;
}

function snapshot(s: System): VehicleSnapshot {
  const components = [...s.components.values()].sort((a, b) => a.compid - b.compid);
  const received = components.reduce((n, c) => n + c.received, 0);
  const lost = components.reduce((n, c) => n + c.lost, 0);
  const pilot = components.find((c) => c.flightMode !== undefined);
  const out: VehicleSnapshot = {
    sysid: s.sysid,
    linkUp: s.linkUp,
    received,
    lost,
    components: components.map((c) => {
      const cs: ComponentSnapshot = { compid: c.compid, received: c.received, lost: c.lost, duplicates: c.duplicates };
      if (c.heartbeat) cs.heartbeat = { ...c.heartbeat };
      if (c.flightMode !== undefined) cs.flightMode = c.flightMode;
      if (c.armed !== undefined) cs.armed = c.armed;
      return cs;
    }),
  };
  if (s.lastHeartbeatMs !== undefined) out.lastHeartbeatMs = s.lastHeartbeatMs;
  if (received + lost > 0) out.lossRatio = lost / (received + lost);
  if (pilot?.flightMode !== undefined) out.flightMode = pilot.flightMode;
  if (pilot?.armed !== undefined) out.armed = pilot.armed;
  return out;
}
