import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves with the first truthy value `predicate` returns, checking every `everyMs`: for state
 * that has no event to wait on (a gateway's store, a bridge's readiness). Rejects naming `what`
 * at `timeoutMs`. Synchronises on a condition, never on elapsed time.
 */
export async function until<T>(predicate: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}
