import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves once `predicate` holds, checking every `everyMs`, for state that has no event to wait
 * on (a counter of dropped datagrams). Rejects with `what` at `timeoutMs`.
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}
