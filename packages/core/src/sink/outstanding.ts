import { createPendingSeqs } from './_pending-seqs.js';

/**
 * Tracks the batches sealed by this process until they leave the spool, so `flush()` can wait
 * for "everything written before the call" even while new data keeps arriving. A batch cut into
 * parts hands its place in line to the parts.
 */
export interface Outstanding {
  add(id: string): void;
  settle(id: string): void;
  replace(parentId: string, partIds: string[]): void;
  /** Settles every batch but those `keep` names (the spool lost its content). */
  settleAllBut(keep: (id: string) => boolean): void;
  /** Resolves when every batch added so far has settled; rejects after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
}

interface Waiter {
  marker: number;
  resolve: () => void;
}

/**
 * Creates an {@link Outstanding} tracker. `backlogPending` reports whether batches left in the
 * spool by an earlier process are still there: they were written before any call of this one,
 * so `drained()` waits for them too.
 */
export function createOutstanding(backlogPending: () => boolean = () => false): Outstanding {
  const pending = new Map<string, number>();
  // The oldest pending sequence number, without a scan per settled batch: a flush waiting on a
  // backlog of 30,000 batches made every acknowledgement walk all of them.
  const seqs = createPendingSeqs();
  let waiters: Waiter[] = [];

  const forget = (id: string): void => {
    const s = pending.get(id);
    if (s === undefined) return;
    pending.delete(id);
    seqs.release(s);
  };
  const check = () => {
    if (waiters.length === 0 || backlogPending()) return;
    const oldest = seqs.oldest() ?? Number.POSITIVE_INFINITY;
    if (!waiters.some((w) => w.marker < oldest)) return;
    const ready = waiters.filter((w) => w.marker < oldest);
    waiters = waiters.filter((w) => w.marker >= oldest);
    for (const w of ready) w.resolve();
  };

  return {
    add(id) {
      forget(id);
      pending.set(id, seqs.next());
    },
    settle(id) {
      forget(id);
      check();
    },
    replace(parentId, partIds) {
      const s = pending.get(parentId);
      if (s === undefined) return;
      // Held while the parent hands its place over, so the place outlives the parent's leaving.
      seqs.hold(s);
      forget(parentId);
      for (const id of partIds) {
        forget(id);
        pending.set(id, s);
        seqs.hold(s);
      }
      seqs.release(s);
      check();
    },
    settleAllBut(keep) {
      for (const id of [...pending.keys()]) if (!keep(id)) forget(id);
      check();
    },
    drained(timeoutMs) {
      const marker = seqs.newest();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`not drained within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = {
          marker,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(waiter);
        check();
      });
    },
  };
}
