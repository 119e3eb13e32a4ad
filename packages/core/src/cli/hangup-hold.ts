/** SIGHUPs a command holds until its service answers them (see {@link holdHangups}). */
export interface HangupHold {
  /** How many SIGHUPs arrived since the first hold of the process: compare two readings. */
  count(): number;
  /** Ends this hold; the listener goes once every hold of the process ended. Idempotent. */
  release(): void;
}

// One listener for the process: the command's `bin.js` holds before its modules load, and the
// command's own code holds again; both read the same count.
let arrived = 0;
let holders = 0;
const onHangup = (): void => {
  arrived++;
};

/**
 * Keeps a SIGHUP from ending the process (node's default: exit 129) while a command starts, and
 * counts the SIGHUPs: a service that starts later reloads once when one arrived after its file
 * was read (`ServeMappingOptions.reloadAsked`). Call it first thing: a bridge's `bin.js` does,
 * before importing the command, since loading the modules is most of a start.
 */
export function holdHangups(): HangupHold {
  if (holders++ === 0) process.on('SIGHUP', onHangup);
  let held = true;
  return {
    count: () => arrived,
    release() {
      if (!held) return;
      held = false;
      if (--holders === 0) process.off('SIGHUP', onHangup);
    },
  };
}
