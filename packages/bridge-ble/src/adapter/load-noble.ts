import { explainAdapterError } from './adapter-errors.js';
import { silenceStateAdvice, tameDevUpPoll } from './noble-quirks.js';
import type { Noble, NobleBindings } from './noble-types.js';

/** Where noble gets its adapter. */
export interface LoadNobleOptions {
  /**
   * A bindings object to drive instead of the platform's (the simulated adapter in tests and
   * the demo). Without it the platform bindings are created: HCI sockets on Linux.
   */
  bindings?: NobleBindings;
  /** HCI device number (hci<N>); default noble's choice (`NOBLE_HCI_DEVICE_ID` or the first). */
  deviceId?: number;
}

/** A loaded noble and the bindings it drives. */
export interface LoadedNoble {
  noble: Noble;
  bindings: NobleBindings;
}

type BindingsFactory = (options: Record<string, unknown>) => NobleBindings;
type NobleFactory = (bindings: NobleBindings) => Noble;

/**
 * Loads noble (dynamic import: nothing of it is loaded until a bridge starts) on `bindings`
 * or, by default, on the platform's bindings. Creating the platform bindings opens the HCI
 * socket, which is where a missing kernel module, permission or adapter shows up: those
 * reject with a {@link BleBridgeError} naming what is missing (`NO_BLUETOOTH`,
 * `NO_PERMISSION`, `NO_ADAPTER`). The platform bindings' habit of printing advice to stdout
 * is switched off (see `silenceStateAdvice`), and their adapter poll timer made releasable
 * (see `tameDevUpPoll`; `releaseBindings` lets go of them).
 */
export async function loadNoble(options: LoadNobleOptions = {}): Promise<LoadedNoble> {
  const withBindings = ((await import('@abandonware/noble/with-bindings.js')) as { default: NobleFactory }).default;
  if (options.bindings) return { noble: withBindings(options.bindings), bindings: options.bindings };
  const resolve = ((await import('@abandonware/noble/lib/resolve-bindings.js')) as { default: BindingsFactory }).default;
  let bindings: NobleBindings;
  try {
    bindings = resolve(options.deviceId === undefined ? {} : { deviceId: options.deviceId });
  } catch (err) {
    throw explainAdapterError(err);
  }
  silenceStateAdvice(bindings);
  tameDevUpPoll(bindings);
  return { noble: withBindings(bindings), bindings };
}
