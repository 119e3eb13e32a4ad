import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves once `predicate` holds, checking every `everyMs`: only for state that has no event
 * to wait on (a server's internal queues). Rejects naming `what` after `timeoutMs`.
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}
