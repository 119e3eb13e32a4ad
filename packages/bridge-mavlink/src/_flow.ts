// Flow control: the link held back while the sink is blocked, where the link can hold.
import type { SourceState } from './_source-state.js';

/** Connections whose data waits while the sink is blocked: TCP holds it in the peer, a replay in the file. UDP and serial cannot wait. */
export const HOLDS: ReadonlySet<string> = new Set(['tcp', 'tcpin', 'tlog']);

/**
 * Returns the check to run after each chunk: while the sink is blocked, a link that holds is
 * paused, and resumed once the sink is open again (unless the source stopped meanwhile).
 */
export function createFlowControl(state: SourceState, stopped: AbortSignal): () => void {
  let paused = false;
  return () => {
    if (!state.holds || paused || !state.ctx.flow.blocked()) return;
    paused = true;
    state.link?.pause();
    void state.ctx.flow.whenOpen(stopped).then(() => {
      paused = false;
      if (!state.stopping) state.link?.resume();
    });
  };
}
