/**
 * Resolves when `predicate` returns a truthy value (checked every `intervalMs`); rejects with
 * `message` after `timeoutMs`. Synchronises on a condition, never on elapsed time.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, message: string, timeoutMs = 20_000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
