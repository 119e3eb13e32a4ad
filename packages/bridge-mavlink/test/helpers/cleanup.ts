import { trackCleanups } from '@fieldbridge/core/testing';

/** Something to undo after a test: a socket, a link, a serial pair, a temp dir. */
export type Cleanup = () => Promise<void> | void;

/** The kit's per-test cleanups as one function: `track(fn)` registers an undo step run after the test. */
export function cleanups(): (fn: Cleanup) => void {
  const track = trackCleanups();
  return (fn) => track.defer(fn);
}
