import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Things to undo after a test file or a test, undone last first, every one even when some fail. */
export interface Cleanup {
  add(undo: () => Promise<unknown> | unknown): void;
  /** A new temporary folder, removed at cleanup. */
  dir(prefix: string): string;
  run(): Promise<void>;
}

/** A fresh {@link Cleanup}. */
export function createCleanup(): Cleanup {
  const undos: (() => Promise<unknown> | unknown)[] = [];
  return {
    add(undo) {
      undos.push(undo);
    },
    dir(prefix) {
      const path = mkdtempSync(join(tmpdir(), `fb-opcua-${prefix}-`));
      undos.push(() => rmSync(path, { recursive: true, force: true }));
      return path;
    },
    async run() {
      let first: unknown;
      for (const undo of undos.splice(0).reverse()) {
        try {
          await undo();
        } catch (err) {
          first ??= err;
        }
      }
      if (first !== undefined) throw first;
    },
  };
}
