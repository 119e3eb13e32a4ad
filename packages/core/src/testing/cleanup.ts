import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** Something to undo after a test: a server, a serial pair, a temporary folder, a bridge. */
export type Cleanup = () => unknown;

/** Cleanups registered by a test, run after it. */
export interface CleanupTracker {
  /** Registers `cleanup`; returns `value` so `const s = track.add(await start(), (s) => s.stop())` reads well. */
  add<T>(value: T, cleanup: (value: T) => unknown): T;
  /** Registers a cleanup with no value. */
  defer(cleanup: Cleanup): void;
  /** A fresh folder under the OS temp dir (its name starting with `prefix`), removed with its contents after the test. */
  tempDir(prefix?: string): Promise<string>;
}

/** Options of {@link trackCleanups}. */
export interface CleanupOptions {
  /** How long the cleanups after one test may take, in ms. Default: vitest's `hookTimeout`. */
  timeoutMs?: number;
}

/**
 * Per-file cleanup: what a test registers is undone after it, newest first, every cleanup run
 * even when one fails (so one failing close cannot leak a broker process), the first failure
 * thrown afterwards. Call at the top level of a test file (or of a `describe`).
 */
export function trackCleanups(options: CleanupOptions = {}): CleanupTracker {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    let first: unknown;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }, options.timeoutMs);
  return {
    add(value, cleanup) {
      cleanups.push(() => cleanup(value));
      return value;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async tempDir(prefix = 'fieldbridge-test-') {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}

/** Writes `text` to `name` in a new temporary folder that `track` removes after the test; resolves with the file's path. */
export async function writeTempFile(track: CleanupTracker, name: string, text: string): Promise<string> {
  const file = join(await track.tempDir(), name);
  await writeFile(file, text);
  return file;
}
