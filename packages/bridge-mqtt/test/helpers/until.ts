import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves once `predicate` holds, checking every `everyMs`, for state that has no event to
 * wait on (a RunningBridge's readiness, a gateway's store). Rejects with `what` at `timeoutMs`.
 */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}
