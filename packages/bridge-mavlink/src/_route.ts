// One route of a vehicle as the route choice (routes.ts) keeps it: when it was heard, how often,
// which messages it carries and at what interval, whether its frames are copies of another's.

import { routeHeartbeats, type RouteHeartbeats } from './_route-witness.js';

/**
 * A route that carried the vehicle is quiet once nothing came over it for 3 of its usual gaps
 * between the vehicle's frames, at least this long (ms), at most the link timeout.
 */
export const ROUTE_QUIET_MS = 1_000;
const ROUTE_QUIET_GAPS = 3;
/**
 * A route still carries a message while the message is due over it: at most 2.5 of its usual
 * intervals there (one frame lost is no reason to read another port's), at least this long (ms).
 */
export const MESSAGE_GRACE_MS = 200;
const GRACE_INTERVALS = 2.5;
/** How long (ms) a message heard once over a route is taken to be carried by it, before its interval is known. */
const FIRST_GRACE_MS = 1_000;
/** Routes that carry the same frames: one whose last 4 or more frames were at least half copies of another's is that route's mirror. */
const MIRROR_COPIES = 4;
/** The window (frames of the route) over which copies are counted; a mirror whose copies fall below an eighth of it is a route of its own again. */
const MIRROR_WINDOW = 64;
/** Messages remembered per route. */
const MAX_MESSAGES = 1_024;

/** A message as one route carries it. */
interface Carried {
  lastAtMs: number;
  intervalMs?: number;
}

export interface Route {
  name: string;
  /** The route whose frames this one carries again, or itself: routes of one lead are read as one. */
  lead: Route;
  lastAtMs: number;
  /** Usual gap between the vehicle's frames over this route (ms). */
  gapMs?: number;
  /** By message key (component and message id). */
  carried: Map<number, Carried>;
  /** Components whose boot clock over this route is not the vehicle's (see `ROUTE_SKEW_MS`). */
  foreign: Set<number>;
  /**
   * Per component, arrival minus boot time of its last frame with a boot time over this route:
   * the route's lag, which places a frame without a time of its own (a HEARTBEAT) on the boot clock.
   */
  clocks: Map<number, number>;
  /** What its heartbeats said while it was a standby (see `_route-witness.ts`). */
  heartbeats: RouteHeartbeats;
  /** Why it carries another vehicle with the vehicle's ids, once its heartbeats said so: its frames are read as they come. */
  other?: string;
  /** Copies of another route's frames among this route's recent frames. */
  mirror: { of: string; copies: number; frames: number };
  read: number;
  standby: number;
  behind: number;
  copies: number;
  /**
   * `route.added` said (or not to be said: the first route). A route is said at its first
   * heartbeat that is the vehicle's: not while its boot clock or its heartbeats are another
   * vehicle's (two vehicles with one id).
   */
  announced: boolean;
}

export function createRoute(name: string, atMs: number, announced: boolean): Route {
  const route: Omit<Route, 'lead'> & { lead?: Route } = {
    name, lastAtMs: atMs, carried: new Map(), foreign: new Set(), clocks: new Map(), heartbeats: routeHeartbeats(), mirror: { of: '', copies: 0, frames: 0 }, read: 0, standby: 0, behind: 0, copies: 0, announced,
  };
  route.lead = route as Route;
  return route as Route;
}

/** Nothing came over `r` for its quiet time at `atMs`. */
export function isQuiet(r: Route, atMs: number, linkTimeoutMs: number): boolean {
  return atMs - r.lastAtMs > Math.min(linkTimeoutMs, Math.max(ROUTE_QUIET_MS, ROUTE_QUIET_GAPS * (r.gapMs ?? 0)));
}

/** A frame came over `r` (its first when `fresh`): its usual gap (not across a quiet spell) and last frame. */
export function heardOver(r: Route, atMs: number, fresh: boolean, linkTimeoutMs: number): void {
  if (!fresh) {
    const gap = atMs - r.lastAtMs;
    if (!isQuiet(r, atMs, linkTimeoutMs) && gap >= 0) r.gapMs = r.gapMs === undefined ? gap : r.gapMs + (gap - r.gapMs) / 8;
  }
  r.lastAtMs = Math.max(r.lastAtMs, atMs);
}

/** A frame of message `key` came over `r`: its interval there (a gap of a lost frame or two moves it a little). */
export function carry(r: Route, key: number, atMs: number): void {
  const c = r.carried.get(key);
  if (!c) {
    if (r.carried.size < MAX_MESSAGES) r.carried.set(key, { lastAtMs: atMs });
    return;
  }
  const gap = atMs - c.lastAtMs;
  if (gap >= 0) c.intervalMs = c.intervalMs === undefined ? gap : c.intervalMs + (Math.min(gap, 3 * c.intervalMs) - c.intervalMs) / 4;
  c.lastAtMs = Math.max(c.lastAtMs, atMs);
}

/** `r` carries message `key` at `atMs`: it is not quiet, and the message came within its grace. */
export function carriesNow(r: Route, key: number, atMs: number, linkTimeoutMs: number): boolean {
  const c = r.carried.get(key);
  if (!c || isQuiet(r, atMs, linkTimeoutMs)) return false;
  const grace = c.intervalMs === undefined ? FIRST_GRACE_MS : Math.max(MESSAGE_GRACE_MS, GRACE_INTERVALS * c.intervalMs);
  return atMs - c.lastAtMs <= grace;
}

/**
 * Counts a frame of `r`, a copy of one of route `copyOf` or not, and says whether `r` is now a
 * mirror of the route it copies (`join`: at least {@link MIRROR_COPIES} copies, half its recent
 * frames) or no longer (`leave`: under an eighth of a window).
 */
export function countMirror(r: Route, copyOf: string | undefined): 'join' | 'leave' | undefined {
  const m = r.mirror;
  if (copyOf !== undefined && copyOf !== m.of) {
    m.of = copyOf;
    m.copies = 0;
    m.frames = 0;
  }
  m.frames += 1;
  if (copyOf !== undefined) m.copies += 1;
  let verdict: 'join' | 'leave' | undefined;
  if (m.copies >= MIRROR_COPIES && 2 * m.copies >= m.frames) verdict = 'join';
  if (m.frames >= MIRROR_WINDOW) {
    if (8 * m.copies < m.frames) verdict = 'leave';
    m.copies /= 2;
    m.frames /= 2;
  }
  return verdict;
}

/**
 * When (boot time, ms) a frame of component `compid` without a time of its own, come over `r` at
 * `atMs`, was made, going by the route's lag; undefined before a frame with a boot time came over it.
 */
export function madeAt(r: Route, compid: number, atMs: number): number | undefined {
  const clock = r.clocks.get(compid);
  return clock === undefined ? undefined : atMs - clock;
}
