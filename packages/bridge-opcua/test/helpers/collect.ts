import type { NotificationBatch } from '../../src/notifications.js';
import type { EventRecord, ValueRecord } from '../../src/records.js';
import type { SubscriptionProblem } from '../../src/subscription-types.js';

/** Everything a subscription delivered, with waits driven by the deliveries themselves. */
export interface Collector {
  /** What a subscription is given: `subscribe(connection, { ...c.handlers, variables })`. */
  handlers: { onData(batch: NotificationBatch): void; onProblem(problem: SubscriptionProblem): void };
  values: ValueRecord[];
  events: EventRecord[];
  problems: SubscriptionProblem[];
  batches: NotificationBatch[];
  /** The values of item `key`, in arrival order. */
  valuesOf(key: string): ValueRecord['value'][];
  /** Resolves with the first value record (already received or to come) matching `match`. */
  value(match: (v: ValueRecord) => boolean): Promise<ValueRecord>;
  event(match: (e: EventRecord) => boolean): Promise<EventRecord>;
  problem(match: (p: SubscriptionProblem) => boolean): Promise<SubscriptionProblem>;
  /** Resolves at the next batch delivered after this call. */
  nextBatch(): Promise<NotificationBatch>;
}

/** A fresh {@link Collector}. */
export function collector(): Collector {
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  const waitFor = <T>(find: () => T | undefined): Promise<T> => {
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const check = (): void => {
        const found = find();
        if (found === undefined) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
    });
  };
  const batchWaiters: ((b: NotificationBatch) => void)[] = [];
  const c: Collector = {
    values: [],
    events: [],
    problems: [],
    batches: [],
    handlers: {
      onData(batch) {
        c.batches.push(batch);
        c.values.push(...batch.values);
        c.events.push(...batch.events);
        for (const w of batchWaiters.splice(0)) w(batch);
        wake();
      },
      onProblem(problem) {
        c.problems.push(problem);
        wake();
      },
    },
    valuesOf: (key) => c.values.filter((v) => v.item.key === key).map((v) => v.value),
    value: (match) => waitFor(() => c.values.find(match)),
    event: (match) => waitFor(() => c.events.find(match)),
    problem: (match) => waitFor(() => c.problems.find(match)),
    nextBatch: () => new Promise((resolve) => batchWaiters.push(resolve)),
  };
  return c;
}
