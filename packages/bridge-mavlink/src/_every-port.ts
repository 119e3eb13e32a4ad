// Messages an autopilot sends to every port as things happen: the same payload over each port,
// read once from whichever route brought it first.

/**
 * Messages an autopilot sends to every port at once as things happen, not at the rates of a
 * port's streams: a pre-arm text, a script's named value, a parameter set, a mission waypoint
 * reached. Every port sends the same payload, so these are read from whichever route brings
 * them first, the same payload from another port then dropped: one port losing a text loses
 * nothing while another brought it.
 */
export const EVERY_PORT_MESSAGES: ReadonlySet<string> = new Set([
  'STATUSTEXT', 'NAMED_VALUE_FLOAT', 'NAMED_VALUE_INT', 'PARAM_VALUE', 'COMMAND_ACK', 'MISSION_ITEM_REACHED',
  'DEBUG', 'DEBUG_VECT', 'DEBUG_FLOAT_ARRAY', 'CAMERA_FEEDBACK', 'CAMERA_IMAGE_CAPTURED',
]);

/** Messages remembered per vehicle. */
const MAX_MESSAGES = 64;
/** Copies of one message are looked for among its last this many frames read. */
const RECENT = 16;
/** How long after a frame (ms) the frame another port sent with it may come: as the copy filter's window. */
const WINDOW_MS = 2_000;

/** A frame of a message sent to every port, read from route `route` (any value naming a route). */
interface Read<R> {
  payload: Uint8Array;
  atMs: number;
  route: R;
  /** Routes whose copy of it came. */
  claimed: Set<R>;
}

/** Payload bytes without trailing zeros (MAVLink 2 trims them, MAVLink 1 sends them). */
function trimmed(payload: Uint8Array): Uint8Array {
  let n = payload.length;
  while (n > 0 && payload[n - 1] === 0) n--;
  return payload.subarray(0, n);
}

function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The frames of one vehicle's messages sent to every port, read lately. Bounded: {@link MAX_MESSAGES} messages, {@link RECENT} frames each. */
export class EveryPortCopies<R> {
  private readonly recent = new Map<number, Read<R>[]>();

  /**
   * True when the frame (message `key`, `payload`, from `route`) is another port's copy of a
   * frame read from another route within the window, not yet matched by this route's; else it
   * is remembered as read (a text repeated over one route is read each time).
   */
  copy(key: number, payload: Uint8Array, route: R, atMs: number): boolean {
    let recent = this.recent.get(key);
    const bytes = trimmed(payload);
    if (recent) {
      for (const f of recent) {
        if (f.route === route || f.claimed.has(route) || atMs - f.atMs > WINDOW_MS || atMs < f.atMs || !samePayload(f.payload, bytes)) continue;
        f.claimed.add(route);
        return true;
      }
    } else {
      if (this.recent.size >= MAX_MESSAGES) this.recent.delete(this.recent.keys().next().value!);
      this.recent.set(key, (recent = []));
    }
    recent.push({ payload: bytes.slice(), atMs, route, claimed: new Set() });
    if (recent.length > RECENT) recent.shift();
    return false;
  }
}
