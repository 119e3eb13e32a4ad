import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

const track = trackCleanups();

/** The EngineSpeed points a log of the given lines gives with `section`'s change filter. */
async function engineSpeeds(lines: string[], section: Record<string, unknown>): Promise<number[]> {
  const dir = await track.tempDir('bridge-can-filter-clock-');
  const path = join(dir, 'bus.log');
  await writeFile(path, `${lines.join('\n')}\n`);
  const t = createTestContext({ bridge: 'can' });
  track.defer(() => t.abort.abort());
  const bridge = track.add(createCanSource(canConfigSchema.parse({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH, messages: ['EngineData'], ...section }), t.ctx), (b) => b.stop());
  await bridge.start();
  await bridge.ended;
  return t.points.filter((p) => p.metric === 'EngineData.EngineSpeed').map((p) => p.timestamp! - 1_700_000_000_000);
}

// EngineData (0x0C8): EngineSpeed is bytes 0-1, x 0.25: 0x0FA0 = 4000 is 1000 rpm.
const at = (seconds: string) => `(17000000${seconds}) can0 0C8#A00F003C02103900`;

describe('the change filter on a log replayed onto the clock', () => {
  it('counts on the times in the log, so a fast replay with timestamps: replay keeps the points the bus gave', async () => {
    // A second of EngineData every 10 ms: 100 frames.
    const lines = Array.from({ length: 100 }, (_, i) => at(`00.${String(i * 10).padStart(3, '0')}000`));
    const logged = await engineSpeeds(lines, { max_rate_hz: 10 });
    expect(logged).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    // The same ten, stamped as played (as fast as taken: within moments of each other).
    expect(await engineSpeeds(lines, { max_rate_hz: 10, replay: { timestamps: 'replay' } })).toHaveLength(10);
  });
});

describe('the change filter on a log whose clock steps back', () => {
  it('goes on from where the clock was (a logger clock reset, logs out of order), rather than holding back every frame until it catches up', async () => {
    // Ten seconds in, then the clock starts again from 0: 100 ms apart on each stretch.
    const lines = [at('10.000000'), at('10.100000'), at('00.000000'), at('00.100000'), at('00.200000')];
    // At max_rate_hz 10: the frame at the step comes 0 ms after the last one sent (too soon), the next two 100 ms each.
    expect(await engineSpeeds(lines, { max_rate_hz: 10 })).toEqual([10_000, 10_100, 100, 200]);
    // with max_interval: a steady value is sent again once the last one sent is 150 ms old on the filter's clock.
    expect(await engineSpeeds(lines, { on_change: true, max_interval: '150ms' })).toEqual([10_000, 100]);
  });
});
