import { BleBridgeError } from './errors.js';
import type { Timers } from './_timers.js';

/**
 * `promise`, or a `GATT_TIMEOUT` {@link BleBridgeError} saying `what` did not answer within
 * `ms`. noble's promises wait for an event from the adapter and never settle when the event
 * does not come (a device out of range, an adapter powered off mid-command), so every wait on
 * one is bounded. The promise left behind is not cancelled; its later result is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timers: Timers, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new BleBridgeError('GATT_TIMEOUT', `${what} got no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        timers.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        timers.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
