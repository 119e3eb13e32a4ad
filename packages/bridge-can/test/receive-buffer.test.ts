import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessReceiveBuffer, checkReceiveBuffer } from '../src/index.js';

describe('the receive-buffer check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-can-proc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('warns about the kernel default, with the frames it holds and the sysctl that fixes it', async () => {
    await writeFile(join(dir, 'rmem_default'), '212992\n');
    await writeFile(join(dir, 'rmem_max'), '212992\n');
    const report = await checkReceiveBuffer({ procDir: dir });
    expect(report).toMatchObject({ rmemDefault: 212992, rmemMax: 212992, framesHeld: 277, known: true, enough: false });
    expect(report.warning).toContain('holds about 277 frames (net.core.rmem_default = 212992 bytes)');
    expect(report.warning).toContain('sysctl -w net.core.rmem_default=8388608 net.core.rmem_max=8388608');
  });

  it('is content with a raised default, and sizes the advice for larger bursts', async () => {
    await writeFile(join(dir, 'rmem_default'), '33554432');
    await writeFile(join(dir, 'rmem_max'), '33554432');
    expect(await checkReceiveBuffer({ procDir: dir })).toEqual({ rmemDefault: 33554432, rmemMax: 33554432, framesHeld: 43690, known: true, enough: true });
    expect(assessReceiveBuffer(33554432, 33554432, 50_000).warning).toContain('net.core.rmem_default=67108864 net.core.rmem_max=67108864');
    expect(assessReceiveBuffer(212992, 134217728).warning).toContain('net.core.rmem_max=134217728');
  });

  it('claims nothing when the limits cannot be read', async () => {
    expect(await checkReceiveBuffer({ procDir: join(dir, 'absent') })).toEqual({ known: false, enough: true });
  });
});
