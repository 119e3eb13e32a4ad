/** How a bridge keeps a resource open across SIGHUP reloads (`BridgeContext.keepOpen`). */
export interface KeepOpenOptions<T> {
  /**
   * What the resource is opened with (a URL, an interface name), compared as JSON with what the
   * kept one was opened with: when they differ, the kept one is disposed first (its port freed)
   * and a new one opened.
   */
  settings: unknown;
  /** Opens the resource; a rejection is passed on and nothing is kept. */
  open(): T | Promise<T>;
  /** Closes it for good: when no start takes it up after a reload, when the run ends, or when other settings replace it. */
  dispose(resource: T): void | Promise<void>;
}

/** A resource a bridge holds through `BridgeContext.keepOpen`. */
export interface Kept<T> {
  readonly value: T;
  /**
   * The instance no longer uses it (call it in `stop()`, after the instance stopped reading from
   * it). Where a reload may follow, it stays open for the next start; where none can (a context of
   * its own, without a shared `reloadState`), it is disposed, and the promise resolves once it is.
   * Idempotent.
   */
  letGo(): Promise<void>;
  /**
   * It broke (the interface it reads went away): it is disposed now and not kept, so that the
   * next `keepOpen` of its key opens a new one. Resolves once it is disposed. Idempotent.
   */
  discard(): Promise<void>;
}

interface Entry {
  settings: string;
  value: Promise<unknown>;
  dispose(value: unknown): void | Promise<void>;
  holders: Set<object>;
  /** Set once it is being disposed: it is disposed once. */
  disposed?: Promise<void>;
}

/** Where the kept resources of a run live in its `reloadState` map (no bridge key, all being `<bridge>:<key>`, can be this). */
const KEPT = '\u0000kept-open';

function entriesOf(state: Map<string, unknown>): Map<string, Entry> {
  let entries = state.get(KEPT) as Map<string, Entry> | undefined;
  if (!entries) {
    entries = new Map();
    state.set(KEPT, entries);
  }
  return entries;
}

function disposeEntry(entries: Map<string, Entry>, key: string, entry: Entry): Promise<void> {
  if (entries.get(key) === entry) entries.delete(key);
  entry.disposed ??= entry.value.then((value) => entry.dispose(value));
  return entry.disposed;
}

/**
 * The resource under `key` in `state`, held by `holder` (one start of a bridge): the one kept
 * there when it was opened with the same settings, else a new one (a kept one with other
 * settings disposed first). `shared` says whether a later start can take it up (a run's
 * `reloadState`); when not, `letGo` disposes it. Used by the runtime's and the test context's
 * `keepOpen`.
 */
export async function keepOpenIn<T>(state: Map<string, unknown>, holder: object, key: string, options: KeepOpenOptions<T>, shared: boolean): Promise<Kept<T>> {
  const entries = entriesOf(state);
  const settings = JSON.stringify(options.settings) ?? 'undefined';
  let entry = entries.get(key);
  if (entry && entry.settings !== settings) {
    await disposeEntry(entries, key, entry);
    entry = undefined;
  }
  if (!entry) {
    const made: Entry = { settings, value: Promise.resolve(options.open()), dispose: options.dispose as Entry['dispose'], holders: new Set() };
    entries.set(key, made);
    // Nothing is kept of an open that failed: the next start tries again.
    made.value.catch(() => {
      if (entries.get(key) === made) entries.delete(key);
    });
    entry = made;
  }
  const value = (await entry.value) as T;
  const held = entry;
  held.holders.add(holder);
  let letGo: Promise<void> | undefined;
  let discarded: Promise<void> | undefined;
  return {
    value,
    letGo() {
      letGo ??= (async () => {
        held.holders.delete(holder);
        if (!shared && held.holders.size === 0) await disposeEntry(entries, key, held);
      })();
      return letGo;
    },
    discard() {
      held.holders.delete(holder);
      discarded ??= disposeEntry(entries, key, held);
      return discarded;
    },
  };
}

/** Every resource `holder` still holds in `state` is let go (its instance stopped without doing it). */
export function letGoAll(state: Map<string, unknown>, holder: object): void {
  for (const entry of entriesOf(state).values()) entry.holders.delete(holder);
}

async function release(state: Map<string, unknown>, which: (entry: Entry) => boolean): Promise<void> {
  const entries = entriesOf(state);
  const failed: unknown[] = [];
  for (const [key, entry] of [...entries]) {
    if (!which(entry)) continue;
    try {
      await disposeEntry(entries, key, entry);
    } catch (err) {
      failed.push(err);
    }
  }
  if (failed.length > 0) throw new AggregateError(failed, `${failed.length} resource(s) kept across reloads could not be closed`);
}

/**
 * Disposes the resources kept in `state` (a run's `reloadState`) that no running bridge holds:
 * call it once the bridges a reload starts are running, so that what the new mapping no longer
 * uses (a link whose bridge is gone) is closed. The command does this after each SIGHUP reload.
 * Rejects with an `AggregateError` when a dispose failed (the others are still disposed).
 */
export function releaseUnheld(state: Map<string, unknown>): Promise<void> {
  return release(state, (entry) => entry.holders.size === 0);
}

/**
 * Disposes every resource kept in `state`: call it when the run ends, after its bridges stopped
 * (the command does, at SIGTERM and at the end of `--once`), so that no socket or handle is left
 * open. Rejects with an `AggregateError` when a dispose failed (the others are still disposed).
 */
export function releaseKept(state: Map<string, unknown>): Promise<void> {
  return release(state, () => true);
}
