import { loadNoble, type LoadedNoble } from '../../src/adapter/load-noble.js';
import { SimulatedBindings, type SimulatedBindingsOptions } from '../../src/sim/simulated-bindings.js';

/** Real noble (with-bindings) over a simulated adapter. */
export async function simulatedNoble(options: SimulatedBindingsOptions = {}): Promise<LoadedNoble & { sim: SimulatedBindings }> {
  const sim = new SimulatedBindings(options);
  const loaded = await loadNoble({ bindings: sim });
  return { ...loaded, sim };
}
