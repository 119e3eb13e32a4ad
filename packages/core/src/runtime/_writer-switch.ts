import type { PointWriter } from '../sink/sink-types.js';

/** A writer that passes every point on to a target a reload may replace. */
export interface WriterSwitch extends PointWriter {
  /** From now on, points go to `target`. */
  to(target: PointWriter): void;
}

/**
 * What the bridges of a file write into (`startBridges`): the file's rule set, or the sink when
 * there is none. A reload that changes only the rules turns it to the new set, and the bridges
 * go on reading without being stopped (their connections, sessions and subscriptions kept).
 */
export function writerSwitch(target: PointWriter): WriterSwitch {
  let current = target;
  return {
    // The target's answer is passed on: a rule set reads the sink's (false: refused).
    write: (point) => current.write(point),
    send: (metric, value, extras) => current.send(metric, value, extras),
    to(next) {
      current = next;
    },
  };
}
