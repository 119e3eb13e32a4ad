import { afterEach } from 'vitest';
import { createModbusSource, type ModbusSource } from '../../src/source.js';

/** Something to undo after each test: a server, a serial pair, a temp dir. */
export type Cleanup = () => Promise<void>;

/**
 * Per-file cleanup for tests that start sources and peers: `cleanups` is emptied after each
 * test, newest first, and `source()` creates a Modbus source whose `stop()` is registered there.
 */
export function trackedSources(): { cleanups: Cleanup[]; source: (...args: Parameters<typeof createModbusSource>) => ModbusSource } {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    source(...args) {
      const s = createModbusSource(...args);
      cleanups.push(() => s.stop());
      return s;
    },
  };
}
