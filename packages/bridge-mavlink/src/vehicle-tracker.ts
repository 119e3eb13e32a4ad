import { flightModeName, isArmed, isAutopilot, type Heartbeat } from './flight-mode.js';
import { MAX_ROUTES, ROUTE_FORGET_MS, type RouteEvent } from './routes.js';
import { clockContinued, clockRestarted, countFrame, createSequenceState, type SequenceState } from './sequence-loss.js';
import { leastRecent, routesHeard, snapshot, type Component, type System, type SystemRoute, type VehicleSnapshot } from './vehicle-snapshot.js';

export type { ComponentSnapshot, RouteSnapshot, VehicleSnapshot } from './vehicle-snapshot.js';

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
   * Frames of the system received and lost (from sequence numbers) over one route since that
   * route's previous `link.stats` (the first counts from the route's first frame): given with
   * each HEARTBEAT of its autopilot (the lowest component id that is one; without an autopilot,
   * the lowest component that sends heartbeats) over that route. Summed, they are every frame up
   * to the last heartbeat, except that frames missing across a silence count once the
   * component's boot clock has shown it did not reboot, in a later one. `route` is set while the
   * system is heard over more than one route (each counts its own sequence numbers).
   */
  | { kind: 'link.stats'; sysid: number; atMs: number; received: number; lost: number; route?: string }
  /** A system heard over another route too, whose route in use went quiet, or another vehicle with its ids over a route (see `routes.ts`). */
  | RouteEvent;

/**
 * How a frame was taken: `read`; `standby`, left to another route that carries its message
 * (counted for its own route's loss, a heartbeat keeps the link up and gives its route's
 * `link.stats`, but no mode or armed state comes from it: a slower route would take them back);
 * `copy`, the copy of a frame read from another route (counted as a duplicate, and for its
 * route's loss, where it is the route's own frame).
 */
export type FrameRole = 'read' | 'standby' | 'copy';

/** Where and how a frame came (see {@link VehicleTracker.observe}). */
export interface ObserveOptions {
  /** The route it came over (`LinkChunk.peer`); default `''`, the link's one route. */
  route?: string;
  /** Default `read`. */
  role?: FrameRole;
}

/** Options of {@link createVehicleTracker}. */
export interface VehicleTrackerOptions {
  /** ms without a HEARTBEAT after which a system's link is lost. Default 5,000. */
  linkTimeoutMs?: number;
  /** Components tracked per system; frames of further ones count for the system's link only. Default 32. */
  maxComponents?: number;
}

/**
 * The state of every system on a link, pure: frames and times in, events out; time is whatever
 * the caller passes (the bridge's clock, a `.tlog` record's time, a test's number).
 */
export interface VehicleTracker {
  /**
   * A frame from (`sysid`, `compid`) with sequence `seq` at `atMs`; `heartbeat` when it is one.
   * Its sequence number counts for its route (`options.route`); see {@link FrameRole} for frames
   * not read.
   */
  observe(frame: { sysid: number; compid: number; seq: number }, atMs: number, heartbeat?: Heartbeat, options?: ObserveOptions): readonly VehicleEvent[];
  /**
   * A component rebooted (its boot clock went back): sequence tracking starts over on every
   * route, a gap held since a silence is dropped. Call it before {@link observe} of the frame
   * that showed it.
   */
  restarted(sysid: number, compid: number, atMs: number): readonly VehicleEvent[];
  /**
   * A message of the component over `route` showed its boot clock going on (no reboot): a gap
   * held since a silence was frames lost, counted when measurable. Call it after {@link observe}
   * of that frame.
   */
  continued(sysid: number, compid: number, route?: string): void;
  /**
   * A frame of a message the dialect does not have, from a component already heard in valid
   * frames (`whole` in the parser's problem): its sequence number is counted, so that a vehicle
   * sending messages newer than the tables shows no loss for them. A component not heard yet is
   * left alone (the frame cannot be checked: it may be noise naming any system).
   */
  counted(frame: { sysid: number; compid: number; seq: number }, atMs: number, route?: string): void;
  /**
   * A copy of a frame already observed over the same route (a router that sent it twice):
   * counted as a duplicate, not as received or lost. A copy over another route is observed with
   * the role `copy`.
   */
  copied(sysid: number, compid: number): void;
  /** Links without a HEARTBEAT for the timeout at `nowMs` are lost. Call it on a timer (every second or so). */
  check(nowMs: number): readonly VehicleEvent[];
  /** Every system seen, by system id. */
  vehicles(): VehicleSnapshot[];
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
    if (!s) systems.set(sysid, (s = { sysid, components: new Map(), routes: new Map(), linkUp: false, described: 'none' }));
    return s;
  };

  /** The component's sequence state over `route`, made at its first frame there. */
  const sequenceOf = (c: Component, route: string, atMs: number): SequenceState => {
    let seq = c.routes.get(route);
    if (!seq) {
      if (c.routes.size >= MAX_ROUTES) c.routes.delete(leastRecent(c.routes, (x) => x.lastAtMs)!);
      c.routes.set(route, (seq = createSequenceState(atMs)));
    }
    return seq;
  };

  const routeOf = (s: System, route: string, atMs: number): SystemRoute => {
    let r = s.routes.get(route);
    if (!r) {
      if (s.routes.size >= MAX_ROUTES) s.routes.delete(leastRecent(s.routes, (x) => x.lastAtMs)!);
      s.routes.set(route, (r = { lastAtMs: atMs, statsBase: { received: 0, lost: 0 } }));
    }
    r.lastAtMs = Math.max(r.lastAtMs, atMs);
    return r;
  };

  /** The frame counted for its component over its route. */
  const count = (s: System, compid: number, seq: number, atMs: number, route: string): Component | undefined => {
    let c = s.components.get(compid);
    if (!c && s.components.size < maxComponents) {
      c = { compid, routes: new Map(), copies: 0 };
      s.components.set(compid, c);
    }
    routeOf(s, route, atMs);
    if (c) countFrame(sequenceOf(c, route, atMs), seq, atMs, linkTimeoutMs);
    return c;
  };

  function heartbeatEvents(s: System, c: Component | undefined, compid: number, hb: Heartbeat, atMs: number, route: string): VehicleEvent[] {
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
    if (statsComponent(s) === c) linkStats(s, route, atMs, events);
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

  function linkStats(s: System, route: string, atMs: number, events: VehicleEvent[]): void {
    const r = routeOf(s, route, atMs);
    let received = 0;
    let lost = 0;
    for (const c of s.components.values()) {
      const seq = c.routes.get(route);
      if (!seq) continue;
      received += seq.received;
      lost += seq.lost;
    }
    // A route's component forgotten (past MAX_ROUTES) starts its count over: no negative figures.
    const event: VehicleEvent = { kind: 'link.stats', sysid: s.sysid, atMs, received: Math.max(0, received - r.statsBase.received), lost: Math.max(0, lost - r.statsBase.lost) };
    if (routesHeard(s, atMs) > 1) event.route = route;
    events.push(event);
    r.statsBase = { received, lost };
  }

  /** A heartbeat not read (standby, or a copy over another route): the link is alive, and its route's figures are due. */
  function otherHeartbeat(s: System, c: Component | undefined, route: string, atMs: number): readonly VehicleEvent[] {
    if (s.linkUp && s.lastHeartbeatMs !== undefined) s.lastHeartbeatMs = Math.max(s.lastHeartbeatMs, atMs);
    if (!c?.heartbeat || statsComponent(s) !== c) return NONE;
    const events: VehicleEvent[] = [];
    linkStats(s, route, atMs, events);
    return events;
  }

  return {
    observe(frame, atMs, heartbeat, options = {}) {
      const s = systemOf(frame.sysid);
      const route = options.route ?? '';
      const role = options.role ?? 'read';
      const c = count(s, frame.compid, frame.seq, atMs, route);
      if (role === 'copy' && c) c.copies += 1;
      if (!heartbeat) return NONE;
      return role === 'read' ? heartbeatEvents(s, c, frame.compid, heartbeat, atMs, route) : otherHeartbeat(s, c, route, atMs);
    },
    restarted(sysid, compid, atMs) {
      const c = systems.get(sysid)?.components.get(compid);
      if (c) for (const seq of c.routes.values()) clockRestarted(seq);
      return [{ kind: 'vehicle.restarted', sysid, compid, atMs }];
    },
    counted(frame, atMs, route = '') {
      const s = systems.get(frame.sysid);
      const c = s?.components.get(frame.compid);
      if (s && c) {
        routeOf(s, route, atMs);
        countFrame(sequenceOf(c, route, atMs), frame.seq, atMs, linkTimeoutMs);
      }
    },
    copied(sysid, compid) {
      const c = systems.get(sysid)?.components.get(compid);
      if (c) c.copies += 1;
    },
    continued(sysid, compid, route = '') {
      const seq = systems.get(sysid)?.components.get(compid)?.routes.get(route);
      if (seq) clockContinued(seq);
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
