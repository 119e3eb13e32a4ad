import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGatedClock, createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mavlinkConfigSchema } from '../src/config.js';
import type { ReplayTimer } from '../src/link-tlog.js';
import { createMavlinkSource } from '../src/source.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';

const track = trackCleanups();
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

/** 4 s of a vehicle (system 7): a HEARTBEAT a second and ATTITUDE at 10 Hz, its roll the record's number (0.01 a step), as a .tlog. */
async function flightLog(): Promise<{ path: string; rolls: number[] }> {
  const parts: Buffer[] = [];
  const rolls: number[] = [];
  let seq = 0;
  const add = (ms: number, frame: Buffer): void => {
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt((T0 + ms) * 1000));
    parts.push(head, frame);
  };
  for (let ms = 0; ms < 4_000; ms += 100) {
    if (ms % 1_000 === 0) add(ms, encodeV2('HEARTBEAT', hb, { sysid: 7, seq: seq++ % 256 }));
    const roll = ms / 10_000;
    rolls.push(roll);
    add(ms + 5, encodeV2('ATTITUDE', { time_boot_ms: 90_000 + ms, roll }, { sysid: 7, seq: seq++ % 256 }));
  }
  const path = join(await track.tempDir('bridge-mavlink-tlog-reload-'), 'flight.tlog');
  await writeFile(path, Buffer.concat(parts));
  return { path, rolls };
}

function start(connection: string, reloadState: Map<string, unknown>, timer: ReplayTimer) {
  const t = createTestContext({ bridge: 'mavlink', sourceId: 'field-a', reloadState });
  track.defer(() => t.abort.abort());
  const source = track.add(createMavlinkSource(mavlinkConfigSchema.parse({ connection, messages: { ATTITUDE: ['roll'] } }), t.ctx, { link: { timer } }), (s) => s.stop());
  return { t, source, rolls: () => t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.value) };
}

describe('a .tlog replay across a SIGHUP reload', () => {
  it('goes on where it was with the same file: every record’s points exactly once', async () => {
    const { path, rolls } = await flightLog();
    const reloadState = new Map<string, unknown>();
    const gated = createGatedClock();
    const before = start(`tlog://${path}?pace=recorded`, reloadState, gated.clock);
    await before.source.start();
    await gated.runTo(1_500);
    const heard = before.rolls();
    expect(heard.length).toBeGreaterThan(5);
    expect(heard.length).toBeLessThan(rolls.length);
    await before.source.stop();

    const after = start(`tlog://${path}?pace=recorded`, reloadState, gated.clock);
    await after.source.start();
    // The timeline goes on: nothing is due before the time the replay had reached.
    await gated.runTo(1_500);
    expect(after.rolls()).toEqual([]);
    await gated.runTo(10_000, after.source.ended);
    // 44 records: 40 ATTITUDE and 4 HEARTBEAT; before the reload, the heartbeats at 0 and 1 s with the ATTITUDE frames heard.
    const delivered = heard.length + 2;
    expect(await after.source.ended).toBe(`${after.source.channel} replayed to its end: ${44 - delivered} frames (after the ${delivered} records delivered before a reload)`);
    expect([...heard, ...after.rolls()]).toEqual(rolls);
  });

  it('starts over with another pace', async () => {
    const { path, rolls } = await flightLog();
    const reloadState = new Map<string, unknown>();
    const gated = createGatedClock();
    const before = start(`tlog://${path}?pace=recorded`, reloadState, gated.clock);
    await before.source.start();
    await gated.runTo(1_500);
    await before.source.stop();
    const after = start(`tlog://${path}?pace=fast`, reloadState, gated.clock);
    await after.source.start();
    await after.source.ended;
    expect(after.rolls()).toEqual(rolls);
  });
});
