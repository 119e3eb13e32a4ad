import { realTimers, type Timers } from '../_timers.js';
import type { SimulatedBindings } from './simulated-bindings.js';

/** Options of {@link runSimulatedRadio}. */
export interface SimulatedRadioOptions {
  /** Time between two rounds (every device advertises once, every subscription notifies once), in ms. Default 1000. */
  intervalMs?: number;
  timers?: Timers;
}

/**
 * Keeps a simulated adapter on the air for the demo: every `intervalMs`, each device
 * advertises and each subscribed characteristic notifies. Returns a stop function.
 */
export function runSimulatedRadio(sim: SimulatedBindings, options: SimulatedRadioOptions = {}): () => void {
  const timers = options.timers ?? realTimers;
  const intervalMs = options.intervalMs ?? 1000;
  let timer: unknown;
  let stopped = false;
  const round = (): void => {
    if (stopped) return;
    sim.advertise();
    sim.notifyAll();
    timer = timers.setTimeout(round, intervalMs);
  };
  timer = timers.setTimeout(round, intervalMs);
  return () => {
    stopped = true;
    timers.clearTimeout(timer);
  };
}
