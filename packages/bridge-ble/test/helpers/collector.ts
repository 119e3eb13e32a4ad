/**
 * Collects what a callback delivers and lets a test wait for the nth item: the wait ends on
 * the event itself. The deadline only turns a missing event into a clear failure.
 */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves with the items once there are at least `count`. */
  async until(count: number, what = `${count} items`, deadlineMs = 10_000): Promise<T[]> {
    if (this.items.length < count) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (have ${this.items.length})`)), deadlineMs);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.items;
  }
}

/** Resolves when `emitter` emits `event` with arguments passing `filter`. */
export function once<A extends unknown[]>(subscribe: (listener: (...args: A) => void) => () => void, filter: (...args: A) => boolean = () => true, what = 'the event', deadlineMs = 10_000): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, deadlineMs);
    const unsubscribe = subscribe((...args: A) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(args);
    });
  });
}
