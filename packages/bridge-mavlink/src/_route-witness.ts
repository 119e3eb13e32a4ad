// What a standby route's heartbeats say of the sender behind it: the vehicle over another port, or
// another vehicle left at the same ids. Boot clocks cannot tell them apart when the two booted
// within ROUTE_SKEW_MS of each other (switched on together on the field): their clocks are as
// close as two ports' of one autopilot over routes of different lags. Their heartbeats can. One
// autopilot tells every port the same kind (MAV_TYPE, MAV_AUTOPILOT) and goes through one run of
// states (custom_mode, base_mode, system_status), each port showing it late by its own lag.

import type { Heartbeat } from './flight-mode.js';

/** States of a standby's heartbeats no route read showed within this long (ms) of them that say another vehicle. */
export const UNEXPLAINED_STATES = 3;
/** Heartbeat states read, remembered per component. */
const MAX_SEEN = 16;
/** A standby's states waiting to be shown by a heartbeat read, per component. */
const MAX_PENDING = 8;

interface Shown {
  state: number;
  atMs: number;
}

/** Per component, what the vehicle's heartbeats read said. */
export interface VehicleHeartbeats {
  kinds: Map<number, number>;
  seen: Map<number, Shown[]>;
}

/** Per component, what a standby route's heartbeats said that no heartbeat read showed yet. */
export interface RouteHeartbeats {
  pending: Map<number, Shown[]>;
  unexplained: Map<number, number>;
}

export const vehicleHeartbeats = (): VehicleHeartbeats => ({ kinds: new Map(), seen: new Map() });
export const routeHeartbeats = (): RouteHeartbeats => ({ pending: new Map(), unexplained: new Map() });

const kindOf = (hb: Heartbeat): number => hb.type * 256 + hb.autopilot;
const stateOf = (hb: Heartbeat): number => hb.customMode * 2 ** 16 + hb.baseMode * 256 + hb.systemStatus;

/** A heartbeat of `compid` read at `atMs`: its kind and state are the vehicle's; it shows the states standbys said within `windowMs` before. */
export function heartbeatRead(v: VehicleHeartbeats, standbys: Iterable<RouteHeartbeats>, compid: number, hb: Heartbeat, atMs: number, windowMs: number): void {
  v.kinds.set(compid, kindOf(hb));
  const state = stateOf(hb);
  const seen = v.seen.get(compid) ?? [];
  seen.push({ state, atMs });
  if (seen.length > MAX_SEEN) seen.shift();
  v.seen.set(compid, seen);
  for (const r of standbys) {
    const pending = r.pending.get(compid);
    if (pending) r.pending.set(compid, pending.filter((p) => p.state !== state || atMs - p.atMs > windowMs));
  }
}

/**
 * A heartbeat of `compid` over a standby route at `atMs`. Says why the route carries another
 * vehicle, or undefined: a kind other than the vehicle's at once; states no heartbeat read showed
 * within `windowMs` either way, {@link UNEXPLAINED_STATES} in a row (a state the route in use lost
 * the only heartbeat of is one).
 */
export function standbyHeartbeat(v: VehicleHeartbeats, r: RouteHeartbeats, compid: number, hb: Heartbeat, atMs: number, windowMs: number): string | undefined {
  const kind = v.kinds.get(compid);
  if (kind !== undefined && kind !== kindOf(hb)) {
    return `its HEARTBEAT says MAV_TYPE ${hb.type}, MAV_AUTOPILOT ${hb.autopilot}, the vehicle's MAV_TYPE ${kind >> 8}, MAV_AUTOPILOT ${kind & 0xff}`;
  }
  const state = stateOf(hb);
  let pending = r.pending.get(compid) ?? [];
  // Not shown within the window after it: confirmed unexplained.
  let unexplained = r.unexplained.get(compid) ?? 0;
  const due = pending.filter((p) => atMs - p.atMs > windowMs);
  if (due.length > 0) {
    unexplained += due.length;
    pending = pending.filter((p) => atMs - p.atMs <= windowMs);
  }
  if (v.seen.get(compid)?.some((s) => s.state === state && atMs - s.atMs <= windowMs)) {
    // A state the vehicle showed: the same run of states, later. Nothing waiting is held against it.
    unexplained = 0;
    pending = [];
  } else {
    pending.push({ state, atMs });
    if (pending.length > MAX_PENDING) pending.shift();
  }
  r.pending.set(compid, pending);
  r.unexplained.set(compid, unexplained);
  if (unexplained < UNEXPLAINED_STATES) return undefined;
  return `its HEARTBEAT showed ${unexplained} flight states (mode, armed, status) in a row that the vehicle did not show within ${windowMs / 1000} s`;
}
