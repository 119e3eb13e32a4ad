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
