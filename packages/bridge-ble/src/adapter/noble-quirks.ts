import type { NobleBindings } from './noble-types.js';

// Two habits of noble's Linux HCI bindings (lib/hci-socket/bindings.js, 1.9.2-26) that a
// bridge cannot live with, undone on the instance. Both reach into the bindings' own fields,
// checked for the known shape first; other bindings are left as they are.

interface HciBindingsShape {
  _state?: unknown;
  onStateChange?: (state: string) => void;
  onSigIntBinded?: (...args: unknown[]) => void;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * noble prints advice to stdout (`console.log`) when the adapter reports `unauthorized` or
 * `unsupported`; stdout carries data (`--dry-run` NDJSON), and the scanner explains those
 * states itself. Replaces the instance's state handler with one that only records and
 * re-emits the state. Must run before the bindings initialize (they bind the handler then).
 */
export function silenceStateAdvice(bindings: NobleBindings): boolean {
  const b = bindings as unknown as HciBindingsShape;
  if (typeof b.onStateChange !== 'function' || !('_state' in b)) return false;
  b.onStateChange = function onStateChange(this: HciBindingsShape, state: string): void {
    if (this._state === state) return;
    this._state = state;
    this.emit('stateChange', state);
  };
  return true;
}

/**
 * noble adds a SIGINT listener when its bindings initialize and calls `process.exit(1)` from
 * it when it is the last one, which would cut a bridge's drain short. Removes it; noble's
 * `exit` listener (it stops the scan and drops connections as the process ends) stays.
 * Call after the bindings initialized. Returns true when a listener was removed.
 */
export function releaseSigint(bindings: NobleBindings): boolean {
  const handler = (bindings as unknown as HciBindingsShape).onSigIntBinded;
  if (typeof handler !== 'function' || !process.listeners('SIGINT').includes(handler)) return false;
  process.removeListener('SIGINT', handler);
  return true;
}

type Table = Record<string, unknown> | undefined;

/**
 * noble keeps every device it ever heard, in several tables of its own and of the HCI
 * bindings, so a gateway among phones that rotate their random addresses every few minutes
 * grows without end. Removes device `id` (noble's peripheral id) / `address` from all of them;
 * noble re-creates the entries if the device is heard again. Only for devices that are not
 * connected: their GATT state lives in the same tables.
 */
export function forgetPeripheral(noble: object, bindings: NobleBindings, id: string, address: string): void {
  const n = noble as unknown as Record<string, Table>;
  for (const key of ['_peripherals', '_services', '_characteristics', '_descriptors', '_discoveredPeripheralUUids']) delete n[key]?.[id];
  const b = bindings as unknown as Record<string, Table> & { _gap?: { _discoveries?: Table } };
  for (const key of ['_addresses', '_addresseTypes', '_connectable', 'scannable']) delete b[key]?.[id];
  delete b._gap?._discoveries?.[address];
}

interface DevUpPoll {
  timer: ReturnType<typeof setTimeout> | undefined;
  released: boolean;
}

interface HciShape {
  pollIsDevUp?: (this: unknown) => void;
  _socket?: { stop?: () => void };
}

const polls = new WeakMap<object, DevUpPoll>();
const exitListeners = new WeakMap<object, ((...args: unknown[]) => void)[]>();

/**
 * noble's HCI layer checks every second whether the adapter is up (`pollIsDevUp`), with a timer
 * it never clears and never `unref()`s, so a process that stopped scanning would stay alive for
 * ever. Wraps the instance's poll so its timer is unref()ed and known, for
 * {@link releaseBindings} to clear. noble's own code still does the polling: only the global
 * `setTimeout` it calls is intercepted, for the duration of the (synchronous) call. Must run
 * before the bindings initialize. Returns false for bindings without that poll.
 */
export function tameDevUpPoll(bindings: NobleBindings): boolean {
  const hci = (bindings as unknown as { _hci?: HciShape })._hci;
  if (!hci || typeof hci.pollIsDevUp !== 'function' || polls.has(hci)) return false;
  const poll: DevUpPoll = { timer: undefined, released: false };
  polls.set(hci, poll);
  const original = hci.pollIsDevUp;
  hci.pollIsDevUp = function pollIsDevUp(this: unknown): void {
    if (poll.released) return;
    const real = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const timer = real(fn, ms);
      timer.unref?.();
      poll.timer = timer;
      return timer;
    }) as typeof setTimeout;
    try {
      original.call(this);
    } finally {
      globalThis.setTimeout = real;
    }
  };
  return true;
}

/**
 * Initializes noble's bindings now (reading `noble.state` does it), so a socket error surfaces
 * as this call's exception, and remembers the `exit` listeners the bindings add, for
 * {@link releaseBindings} to remove. Throws what the bindings' `init()` throws.
 */
export function initBindings(noble: { readonly state: unknown }, bindings: NobleBindings): void {
  const before = new Set(process.listeners('exit'));
  try {
    void noble.state;
  } finally {
    const added = process.listeners('exit').filter((l) => !before.has(l));
    if (added.length > 0) exitListeners.set(bindings, added as ((...args: unknown[]) => void)[]);
  }
}

/**
 * Lets go of noble's bindings once the bridge is done with them, so nothing of them keeps the
 * process alive: the dev-up poll timer is cleared (see {@link tameDevUpPoll}), the HCI socket
 * stops polling, and the SIGINT and `exit` listeners noble added are removed. Safe on any
 * bindings (the simulator's have none of these parts) and idempotent.
 */
export function releaseBindings(bindings: NobleBindings): void {
  const hci = (bindings as unknown as { _hci?: HciShape })._hci;
  const poll = hci ? polls.get(hci) : undefined;
  if (poll) {
    poll.released = true;
    if (poll.timer !== undefined) clearTimeout(poll.timer);
    poll.timer = undefined;
  }
  if (typeof hci?._socket?.stop === 'function') {
    try {
      hci._socket.stop();
    } catch {
      // A socket that never started (init failed) has nothing to stop; the bindings are dropped either way.
    }
  }
  releaseSigint(bindings);
  for (const listener of exitListeners.get(bindings) ?? []) process.removeListener('exit', listener);
  exitListeners.delete(bindings);
}
