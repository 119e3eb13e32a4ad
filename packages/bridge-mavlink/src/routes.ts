// One vehicle heard over several routes (a telemetry radio and USB, two radios, a radio and an
// LTE modem): which frames are read. An autopilot sends each of its ports a stream of its own,
// with its own sequence numbers and its own rates, so the same value comes once per port; a port
// forwarded twice (a radio whose frames a router sends on two ways) carries the same frames,
// which the copy filter (duplicate-frames.ts) tells. Pure: frames and times in, verdicts out.

import { EVERY_PORT_MESSAGES, EveryPortCopies } from './_every-port.js';
import { heartbeatRead, standbyHeartbeat, vehicleHeartbeats, type VehicleHeartbeats } from './_route-witness.js';
import { readHeartbeat } from './flight-mode.js';
import { carriesNow, carry, countMirror, createRoute, heardOver, isQuiet, madeAt, MESSAGE_GRACE_MS, ROUTE_QUIET_MS, type Route } from './_route.js';

import type { RouteChoice, RouteChoiceOptions, RouteChoiceSnapshot, RouteEvent, RouteFrame, RouteVerdict } from './route-types.js';

export { EVERY_PORT_MESSAGES, MESSAGE_GRACE_MS, ROUTE_QUIET_MS };
export type { RouteChoice, RouteChoiceOptions, RouteChoiceSnapshot, RouteEvent, RouteFrame, RouteVerdict } from './route-types.js';

/** Routes remembered per vehicle; past this the one heard least recently (and not in use) is forgotten. */
export const MAX_ROUTES = 16;
/** A route not in use that stayed quiet this long (ms) is forgotten: it is a new route if it comes back. */
export const ROUTE_FORGET_MS = 60_000;
/**
 * Two routes of one vehicle carry one boot clock: the same boot time arrives over both, later
 * over the slower route. A route whose boot times are further than this (ms) from the vehicle's
 * carries another sender with the same ids (two vehicles left at one system id) or a component
 * that rebooted: its frames are read as they come, as on a single route, so that the reboot, or
 * the two vehicles, are seen.
 */
export const ROUTE_SKEW_MS = 5_000;
/** Messages remembered per vehicle. */
const MAX_MESSAGES = 1_024;
const HEARTBEAT_ID = 0;

/** A message read: from which route, and its boot time. */
interface ReadMessage {
  lead: Route;
  bootMs: number;
}

interface Vehicle {
  sysid: number;
  /** In the order heard. */
  routes: Map<string, Route>;
  inUse?: Route;
  /** Per message key, the last frame read that carried a boot time. */
  lastRead: Map<number, ReadMessage>;
  /** Per component, arrival minus boot time of its last frame read: the vehicle's boot clock. */
  clocks: Map<number, number>;
  everyPort: EveryPortCopies<Route>;
  heartbeats: VehicleHeartbeats;
  /** When quiet routes were last looked for, to forget them. */
  sweptAtMs: number;
}

const messageKey = (compid: number, msgid: number): number => compid * 2 ** 24 + msgid;

/** A message read from `lead`, made at boot time `bootMs`. */
function remember(v: Vehicle, key: number, lead: Route, bootMs: number): void {
  if (!v.lastRead.has(key) && v.lastRead.size >= MAX_MESSAGES) v.lastRead.clear();
  v.lastRead.set(key, { lead, bootMs });
}

/**
 * A difference of boot times in ms, taken modulo `time_boot_ms`'s 2^32 ms: the message timer
 * gives boot times followed across the wrap (49.7 days), a frame's own field does not.
 */
const bootDiff = (ms: number): number => ms - Math.round(ms / 2 ** 32) * 2 ** 32;

/**
 * Creates the choice for one link. Each vehicle's messages are read from one route at a time: the
 * route in use (the first heard), each message from there while that route carries it (see
 * {@link MESSAGE_GRACE_MS}), else from the first other route that does, so a message only another
 * port sends, or one the route in use stopped sending, is read from there. When the route in use
 * goes quiet (see {@link ROUTE_QUIET_MS}) the next route heard is in use: it stays so while it
 * carries the vehicle (the quiet one, back, waits as a standby). A frame with a boot time older
 * than one of its message already read from another route is not read (`behind`): a slower route
 * taking over gives no points back in time. Bounded: {@link MAX_ROUTES} routes per vehicle,
 * {@link MAX_MESSAGES} messages per route.
 */
export function createRouteChoice(options: RouteChoiceOptions = {}): RouteChoice {
  const linkTimeoutMs = options.linkTimeoutMs ?? 5_000;
  const vehicles = new Map<number, Vehicle>();
  let events: RouteEvent[] = [];

  const vehicleOf = (sysid: number): Vehicle => {
    let v = vehicles.get(sysid);
    if (!v) vehicles.set(sysid, (v = { sysid, routes: new Map(), lastRead: new Map(), clocks: new Map(), everyPort: new EveryPortCopies(), heartbeats: vehicleHeartbeats(), sweptAtMs: -Infinity }));
    return v;
  };

  const quiet = (r: Route, atMs: number): boolean => isQuiet(r, atMs, linkTimeoutMs);
  /** Every route of `lead` (itself and its mirrors) is quiet. */
  const leadQuiet = (v: Vehicle, lead: Route, atMs: number): boolean => {
    for (const r of v.routes.values()) if (r.lead === lead && !quiet(r, atMs)) return false;
    return true;
  };
  const silence = (v: Vehicle, lead: Route, atMs: number): number => {
    let last = -Infinity;
    for (const r of v.routes.values()) if (r.lead === lead) last = Math.max(last, r.lastAtMs);
    return atMs - last;
  };

  /** A route of `lead` carries the message now: heard over it within its grace. */
  function carries(v: Vehicle, lead: Route, key: number, atMs: number): boolean {
    for (const r of v.routes.values()) if (r.lead === lead && carriesNow(r, key, atMs, linkTimeoutMs)) return true;
    return false;
  }

  /** A route before `lead` (the one in use, then the others as heard) carries the message. */
  function carriedBefore(v: Vehicle, lead: Route, key: number, atMs: number): boolean {
    if (lead === v.inUse) return false;
    if (v.inUse && carries(v, v.inUse, key, atMs)) return true;
    for (const r of v.routes.values()) {
      if (r === lead) return false;
      if (r.lead === r && r !== v.inUse && carries(v, r, key, atMs)) return true;
    }
    return false;
  }

  /**
   * Joins the lead `r` (with the routes that follow it, and the use when it is in use) to
   * `lead`'s routes; with `lead === r`, makes the mirror `r` a route of its own again. Mirrors
   * follow leads only, never another mirror.
   */
  function follow(v: Vehicle, r: Route, lead: Route): void {
    if (lead === r) {
      r.lead = r;
      return;
    }
    for (const other of v.routes.values()) if (other.lead === r) other.lead = lead;
    if (v.inUse === r) v.inUse = lead;
  }

  /** Drops route `r`; its mirrors become routes of their own. */
  function drop(v: Vehicle, r: Route): void {
    v.routes.delete(r.name);
    for (const other of v.routes.values()) if (other.lead === r) other.lead = other;
  }

  /** Forgets the routes quiet for {@link ROUTE_FORGET_MS}, except the one in use. */
  function forget(v: Vehicle, atMs: number): void {
    v.sweptAtMs = atMs;
    for (const r of [...v.routes.values()]) if (r !== v.inUse && atMs - r.lastAtMs > ROUTE_FORGET_MS) drop(v, r);
  }

  /** Says a route of the vehicle, once: kept for failover, or in use at once when the one in use is quiet. */
  function announce(v: Vehicle, r: Route, atMs: number): void {
    r.announced = true;
    if (!v.inUse || v.inUse === r.lead) return;
    if (leadQuiet(v, v.inUse, atMs)) {
      events.push({ kind: 'route.changed', sysid: v.sysid, atMs, route: r.lead.name, previous: v.inUse.name, quietMs: silence(v, v.inUse, atMs) });
      v.inUse = r.lead;
    } else {
      events.push({ kind: 'route.added', sysid: v.sysid, atMs, route: r.name, inUse: v.inUse.name });
    }
  }

  function routeOf(v: Vehicle, name: string, atMs: number): Route {
    let r = v.routes.get(name);
    if (r) return r;
    if (v.routes.size > 0) forget(v, atMs);
    if (v.routes.size >= MAX_ROUTES) {
      let oldest: Route | undefined;
      for (const x of v.routes.values()) if (x !== v.inUse && (!oldest || x.lastAtMs < oldest.lastAtMs)) oldest = x;
      if (oldest) drop(v, oldest);
    }
    r = createRoute(name, atMs, v.routes.size === 0);
    v.routes.set(name, r);
    return r;
  }

  /** Counts the frame towards the route's mirror of another route, or not: joins it to that route's lead, or makes it a route of its own again. */
  function mirrorCount(v: Vehicle, r: Route, copyOf: string | undefined): void {
    const verdict = countMirror(r, copyOf);
    const original = v.routes.get(r.mirror.of);
    if (verdict === 'join' && original && r.lead === r && original.lead !== r) follow(v, r, original.lead);
    else if (verdict === 'leave' && r.lead !== r) follow(v, r, r);
  }

  return {
    admit(frame, name, atMs, bootMsOf, copyOf) {
      const v = vehicleOf(frame.sysid);
      const fresh = !v.routes.has(name);
      if (v.routes.size > 1 && atMs - v.sweptAtMs > ROUTE_FORGET_MS / 4) forget(v, atMs);
      const r = routeOf(v, name, atMs);
      heardOver(r, atMs, fresh, linkTimeoutMs);
      mirrorCount(v, r, copyOf === name ? undefined : copyOf);
      const key = messageKey(frame.compid, frame.msgid);
      carry(r, key, atMs);
      const lead = r.lead;
      v.inUse ??= lead;
      if (lead !== v.inUse && leadQuiet(v, v.inUse, atMs)) {
        events.push({ kind: 'route.changed', sysid: v.sysid, atMs, route: lead.name, previous: v.inUse.name, quietMs: silence(v, v.inUse, atMs) });
        v.inUse = lead;
      }
      const verdict = choose(v, r, lead, frame, key, atMs, bootMsOf);
      if (frame.msgid === HEARTBEAT_ID) {
        witness(v, r, frame.compid, frame.payload, verdict, atMs);
        // Said at its first heartbeat of the vehicle: not one of another boot clock, or of another kind.
        if (!r.announced && !r.other && !r.foreign.has(frame.compid)) announce(v, r, atMs);
      }
      r[verdict === 'read' ? 'read' : verdict === 'copy' ? 'copies' : verdict] += 1;
      return verdict;
    },
    copied(sysid, name, original, atMs) {
      const v = vehicles.get(sysid);
      if (!v) return;
      const r = v.routes.get(name);
      if (!r) {
        // A route that brings copies only (its original always came first) is a route all the same.
        const added = routeOf(v, name, atMs);
        announce(v, added, atMs);
        mirrorCount(v, added, original);
        return;
      }
      heardOver(r, atMs, false, linkTimeoutMs);
      mirrorCount(v, r, original === name ? undefined : original);
    },
    placed(frame, name, atMs, bootMs) {
      const v = vehicles.get(frame.sysid);
      const lead = v?.routes.get(name)?.lead;
      if (!v || !lead) return;
      v.clocks.set(frame.compid, atMs - bootMs);
      remember(v, messageKey(frame.compid, frame.msgid), lead, bootMs);
    },
    take() {
      const out = events;
      events = [];
      return out;
    },
    snapshot(sysid) {
      const v = vehicles.get(sysid);
      if (!v) return [];
      return [...v.routes.values()].map((r) => {
        const s: RouteChoiceSnapshot = { route: r.name, inUse: r.lead === v.inUse, read: r.read, standby: r.standby, behind: r.behind, copies: r.copies, lastMs: r.lastAtMs };
        if (r.lead !== r) s.mirrors = r.lead.name;
        return s;
      });
    },
  };

  /** A heartbeat read is the vehicle's; one a standby brought is checked against it (see `_route-witness.ts`). */
  function witness(v: Vehicle, r: Route, compid: number, payload: Uint8Array, verdict: RouteVerdict, atMs: number): void {
    if (r.other || r.foreign.has(compid) || verdict === 'copy') return;
    const hb = readHeartbeat(payload);
    if (verdict === 'read') {
      heartbeatRead(v.heartbeats, [...v.routes.values()].map((x) => x.heartbeats), compid, hb, atMs, ROUTE_SKEW_MS);
      return;
    }
    const why = standbyHeartbeat(v.heartbeats, r.heartbeats, compid, hb, atMs, ROUTE_SKEW_MS);
    if (why === undefined) return;
    r.other = why;
    events.push({ kind: 'route.shared', sysid: v.sysid, compid, atMs, route: r.name, inUse: (v.inUse ?? r).name, why });
  }

  function choose(v: Vehicle, r: Route, lead: Route, frame: RouteFrame, key: number, atMs: number, bootMsOf: () => number | undefined): RouteVerdict {
    // Another vehicle with these ids: read as it comes, as the vehicle's own route would be.
    if (r.other) return 'read';
    if (EVERY_PORT_MESSAGES.has(frame.name)) return v.everyPort.copy(key, frame.payload, lead, atMs) ? 'copy' : 'read';
    // One route: everything is read.
    if (v.routes.size === 1) return 'read';
    const bootMs = bootMsOf();
    if (bootMs !== undefined) {
      // Components are bounded by the tracker's per-system cap on what it holds; here by 256 ids.
      r.clocks.set(frame.compid, atMs - bootMs);
      const clock = v.clocks.get(frame.compid);
      if (clock !== undefined && Math.abs(bootDiff(atMs - bootMs - clock)) > ROUTE_SKEW_MS) {
        // Another boot clock: a second sender with these ids, or a reboot. Read as it comes.
        r.foreign.add(frame.compid);
        return 'read';
      }
      r.foreign.delete(frame.compid);
    } else if (r.foreign.has(frame.compid)) {
      return 'read';
    }
    if (carriedBefore(v, lead, key, atMs)) return 'standby';
    // A HEARTBEAT has no time of its own: placed by its route's lag, a slower route's heartbeat
    // made before one already read is behind too (its flight mode is not taken back).
    const made = bootMs ?? madeAt(r, frame.compid, atMs);
    if (made !== undefined) {
      const last = v.lastRead.get(key);
      const back = last && last.lead !== lead ? bootDiff(last.bootMs - made) : -1;
      if (back >= 0 && back < ROUTE_SKEW_MS) return 'behind';
      if (bootMs === undefined) remember(v, key, lead, made);
    }
    return 'read';
  }
}
