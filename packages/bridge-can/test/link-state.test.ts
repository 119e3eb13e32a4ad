import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { interfaceIndex, interfaceIsUp } from '../src/frames/link-state.js';

const track = trackCleanups();

async function sysWith(files: Record<string, string>): Promise<string> {
  const sys = await track.tempDir('bridge-can-link-');
  await mkdir(join(sys, 'can0'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(sys, 'can0', name), text);
  return sys;
}

describe('an interface read from /sys/class/net', () => {
  it('is up or down from the IFF_UP bit of its flags', async () => {
    expect(await interfaceIsUp('can0', await sysWith({ flags: '0x40081\n' }))).toBe(true);
    expect(await interfaceIsUp('can0', await sysWith({ flags: '0x40080\n' }))).toBe(false);
  });

  it('says nothing (undefined) of flags or an index it cannot read or parse, rather than calling the interface down or new', async () => {
    const sys = await sysWith({ flags: '', ifindex: '\n' });
    expect(await interfaceIsUp('can0', sys)).toBeUndefined();
    expect(await interfaceIndex('can0', sys)).toBeUndefined();
    expect(await interfaceIsUp('can1', sys)).toBeUndefined();
    expect(await interfaceIndex('can1', sys)).toBeUndefined();
    expect(await interfaceIndex('can0', await sysWith({ ifindex: '12\n' }))).toBe(12);
  });
});
