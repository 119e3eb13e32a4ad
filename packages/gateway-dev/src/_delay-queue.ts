/** Runs tasks after a delay, in the order they were pushed (a one-way network latency). */
export interface DelayQueue {
  /** Runs `task` `delayMs()` from now, never before a task pushed earlier. */
  push(task: () => void): void;
  /** Forgets every pending task (the connection is gone: what was "in flight" is lost). */
  clear(): void;
}

/** Creates a {@link DelayQueue}; with a delay of 0 and nothing pending, a task runs at once. */
export function createDelayQueue(delayMs: () => number, now: () => number): DelayQueue {
  const pending: Array<{ dueMs: number; task: () => void }> = [];
  let timer: NodeJS.Timeout | undefined;

  const arm = (): void => {
    const head = pending[0];
    if (timer !== undefined || head === undefined) return;
    timer = setTimeout(run, Math.max(0, head.dueMs - now()));
  };
  const run = (): void => {
    timer = undefined;
    while (pending.length > 0 && pending[0]!.dueMs <= now()) pending.shift()!.task();
    arm();
  };

  return {
    push(task) {
      const delay = delayMs();
      if (delay <= 0 && pending.length === 0) {
        task();
        return;
      }
      const last = pending[pending.length - 1];
      pending.push({ dueMs: Math.max(now() + delay, last?.dueMs ?? 0), task });
      arm();
    },
    clear() {
      pending.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
