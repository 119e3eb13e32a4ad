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
