// What the vehicle tracker keeps of each system, and the snapshots it gives of it.
import type { Heartbeat } from './flight-mode.js';
import { ROUTE_FORGET_MS } from './routes.js';
import type { SequenceState } from './sequence-loss.js';

/** One component of a system, as seen so far. */
export interface ComponentSnapshot {
  compid: number;
  /** Frames received over all its routes (each route counts its own frames, copies of other routes' included; a copy over the same route excluded). */
  received: number;
  /** Frames missing from the sequence numbers of each route, summed. */
  lost: number;
  /** Copies of frames already received (a duplicated route), and frames that repeated the previous sequence number. */
  duplicates: number;
  /** The last HEARTBEAT, when the component sends them. */
  heartbeat?: Heartbeat;
  flightMode?: string;
  armed?: boolean;
}

/** One route of a system: the frames its components sent over it. */
export interface RouteSnapshot {
  /** `udp:10.0.0.7:14550`, `tcp:10.0.0.2:40112`, `serial:/dev/ttyACM0`: the peer the frames came from (`''` when not told). */
  route: string;
  received: number;
  lost: number;
  /** lost / (received + lost); undefined before any frame. */
  lossRatio?: number;
  /** When its last frame came. */
  lastMs: number;
  /** The reader's: true for the route its messages are read from (see `routes.ts`). */
  inUse?: boolean;
  /** The reader's: the route whose frames this one carries again (the same port of the vehicle, forwarded twice). */
  mirrors?: string;
  /** The reader's: frames not read because another route carried their message (or an earlier frame of it). */
  standby?: number;
}

/** One system (vehicle, ground station, companion) as seen so far. */
export interface VehicleSnapshot {
  sysid: number;
  /** True between a HEARTBEAT and the link timeout. */
  linkUp: boolean;
  lastHeartbeatMs?: number;
  /** Sum over the components (and their routes). */
  received: number;
  lost: number;
  /** lost / (received + lost); undefined before any frame. */
  lossRatio?: number;
  /** The autopilot's flight mode and armed state (the lowest component id that is an autopilot). */
  flightMode?: string;
  armed?: boolean;
  components: ComponentSnapshot[];
  /** Every route it was heard over (in the order heard), each with its own loss. */
  routes: RouteSnapshot[];
}

/** What the tracker keeps of a component (internal to the tracker). */
export interface Component {
  compid: number;
  /** Its sequence numbers over each route (bounded by `MAX_ROUTES`). */
  routes: Map<string, SequenceState>;
  /** Copies of frames over the route of their original, not counted on it. */
  copies: number;
  heartbeat?: Heartbeat;
  flightMode?: string;
  armed?: boolean;
}

/** A route of a system. */
export interface SystemRoute {
  lastAtMs: number;
  /** Its totals at its last `link.stats`. */
  statsBase: { received: number; lost: number };
}

export interface System {
  sysid: number;
  components: Map<number, Component>;
  /** In the order heard (bounded by `MAX_ROUTES`). */
  routes: Map<string, SystemRoute>;
  lastHeartbeatMs?: number;
  linkUp: boolean;
  /** What the last `vehicle.found` described: none given yet, another component, the autopilot. */
  described: 'none' | 'other' | 'autopilot';
  /** Before it is found: the first heartbeat heard, of a component that is not an autopilot. */
  firstHeard?: { compid: number; heartbeat: Heartbeat; atMs: number };
}

/** Routes of the system heard within {@link ROUTE_FORGET_MS} before `atMs`. */
export function routesHeard(s: System, atMs: number): number {
  let n = 0;
  for (const r of s.routes.values()) if (atMs - r.lastAtMs <= ROUTE_FORGET_MS) n++;
  return n;
}

export function leastRecent<T>(map: Map<string, T>, at: (value: T) => number): string | undefined {
  let oldest: string | undefined;
  let oldestAt = Infinity;
  for (const [key, value] of map) {
    if (at(value) < oldestAt) {
      oldest = key;
      oldestAt = at(value);
    }
  }
  return oldest;
}

/** A component's totals over its routes. */
function totals(c: Component): { received: number; lost: number; duplicates: number } {
  let received = 0;
  let lost = 0;
  let duplicates = c.copies;
  for (const seq of c.routes.values()) {
    received += seq.received;
    lost += seq.lost;
    duplicates += seq.duplicates;
  }
  return { received, lost, duplicates };
}

export function snapshot(s: System): VehicleSnapshot {
  const components = [...s.components.values()].sort((a, b) => a.compid - b.compid);
  const sums = components.map(totals);
  const received = sums.reduce((n, t) => n + t.received, 0);
  const lost = sums.reduce((n, t) => n + t.lost, 0);
  const pilot = components.find((c) => c.flightMode !== undefined);
  const routes: RouteSnapshot[] = [...s.routes].map(([route, r]) => {
    let routeReceived = 0;
    let routeLost = 0;
    for (const c of components) {
      const seq = c.routes.get(route);
      routeReceived += seq?.received ?? 0;
      routeLost += seq?.lost ?? 0;
    }
    const rs: RouteSnapshot = { route, received: routeReceived, lost: routeLost, lastMs: r.lastAtMs };
    if (routeReceived + routeLost > 0) rs.lossRatio = routeLost / (routeReceived + routeLost);
    return rs;
  });
  const out: VehicleSnapshot = {
    sysid: s.sysid,
    linkUp: s.linkUp,
    received,
    lost,
    routes,
    components: components.map((c, i) => {
      const cs: ComponentSnapshot = { compid: c.compid, ...sums[i]! };
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
