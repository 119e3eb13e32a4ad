// The route choice's public types: what becomes of a frame, what the choice says of a vehicle's
// routes, and its contract (routes.ts implements it).

/**
 * What becomes of a frame: `read`; `standby`, not read because a route before its own (the one
 * in use, then the others in the order they were heard) carries its message; `behind`, not read
 * because it is older (by its boot time) than a frame of its message already read from another
 * route; `copy`, a message sent to every port that another port brought first.
 */
export type RouteVerdict = 'read' | 'standby' | 'behind' | 'copy';

/** What the choice says of a vehicle's routes, for the bridge to log and turn into event points. */
export type RouteEvent =
  /** The vehicle is heard over another route too, kept for failover (and for the messages only it carries). */
  | { kind: 'route.added'; sysid: number; atMs: number; route: string; inUse: string }
  /** The route in use went quiet: its messages are read from `route` now. */
  | { kind: 'route.changed'; sysid: number; atMs: number; route: string; previous: string; quietMs: number }
  /**
   * `route`'s heartbeats of component `compid` are another vehicle's with the same ids (`why`):
   * its frames are read as they come from now on, as on a route of its own.
   */
  | { kind: 'route.shared'; sysid: number; compid: number; atMs: number; route: string; inUse: string; why: string };

/** One route of a vehicle, as the choice sees it. */
export interface RouteChoiceSnapshot {
  route: string;
  /** True for the route in use, and for those that carry its frames again (`mirrors`). */
  inUse: boolean;
  /** The route whose frames this one carries again (the same port, forwarded twice), if any. */
  mirrors?: string;
  /** Frames read, frames left to another route (`standby`, `behind`), copies of messages sent to every port. */
  read: number;
  standby: number;
  behind: number;
  copies: number;
  lastMs: number;
}

/** A frame, as the choice needs it. */
export interface RouteFrame {
  sysid: number;
  compid: number;
  msgid: number;
  /** The message name (`STATUSTEXT`), for `EVERY_PORT_MESSAGES`. */
  name: string;
  payload: Uint8Array;
}

/** Which route each vehicle's frames are read from. */
export interface RouteChoice {
  /**
   * Whether `frame`, come over `route` at `atMs`, is read. `bootMs` gives its boot time (see
   * `bootTimeOf`), asked only of a vehicle heard over several routes. `copyOf` names the route
   * of a frame it repeats that was not read (the copy filter's `find`): evidence that the two
   * routes carry the same frames, as {@link copied}.
   */
  admit(frame: RouteFrame, route: string, atMs: number, bootMs: () => number | undefined, copyOf?: string): RouteVerdict;
  /**
   * A copy (duplicate-frames.ts) of a frame that came over `original`, heard over `route`: the
   * route is alive, and one whose frames are mostly copies of another's carries that route's
   * frames (the same port forwarded twice): they are one route then, read together.
   */
  copied(sysid: number, route: string, original: string, atMs: number): void;
  /**
   * A frame read, with the boot time the message timer found in it (`MessageTime.bootMs`): the
   * vehicle's boot clock and its message's last boot time, which frames of other routes are
   * compared with.
   */
  placed(frame: Pick<RouteFrame, 'sysid' | 'compid' | 'msgid'>, route: string, atMs: number, bootMs: number): void;
  /** Route events since the last call. */
  take(): RouteEvent[];
  snapshot(sysid: number): RouteChoiceSnapshot[];
}

/** Options of `createRouteChoice`. */
export interface RouteChoiceOptions {
  /** ms without a HEARTBEAT before a vehicle's link is lost: the longest a route may be silent before it is quiet. Default 5,000. */
  linkTimeoutMs?: number;
}
