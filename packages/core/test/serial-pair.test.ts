import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSerialPair } from '../src/testing/serial-pair.js';

describe('startSerialPair', () => {
  it('fails saying what socat said when it cannot make the pair, rather than waiting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fb-serial-pair-'));
    try {
      // A directory where the link A should go: socat cannot make it and gives up.
      await mkdir(join(dir, 'A'));
      const err = await startSerialPair({ dir }).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(/^socat exited with \d+ before creating .*\/A and .*\/B: .*E /s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
