/**
 * Runs cleanups last-in first-out, every one of them even when some fail (so one failing
 * close cannot leak a broker process), then throws the first failure.
 */
export async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
