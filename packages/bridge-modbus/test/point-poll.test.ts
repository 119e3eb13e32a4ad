// poll_ms on a point: read less often than its device polls, in requests of its own.
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { SlowReads } from '../src/_slow-reads.js';
import { describeModbus } from '../src/bridge.js';
import { checkModbus } from '../src/check.js';
import { modbusConfigSchema } from '../src/config.js';
import { planRequests, type ReadRequest } from '../src/plan.js';
import { createModbusSource } from '../src/source.js';
import { oneDevice } from './helpers/mapping.js';
import { startServerTcp } from './helpers/server-tcp.js';

const track = trackCleanups();

describe('poll_ms on a point', () => {
  it('is read at the first poll and then not until its interval passed, in a request of its own; the rest at every poll', async () => {
    const srv = track.add(await startServerTcp({ holding: new Map(Array.from({ length: 20 }, (_, i) => [i, 100 + i])) }), (s) => s.close());
    const t = createTestContext();
    // Next to each other, yet never in one request: the counter is asked for once an hour only.
    const points = [
      { metric: 'power', table: 'holding', address: 0 },
      { metric: 'energy', table: 'holding', address: 1, type: 'uint32', poll_ms: '1h' },
      { metric: 'voltage', table: 'holding', address: 3 },
    ];
    const src = track.add(createModbusSource(oneDevice(srv.url, points), t.ctx), (s) => s.stop());
    for (let i = 0; i < 3; i++) await src.once();
    expect(srv.seen.map((r) => `${r.address}+${r.count}`)).toEqual(['0+4', '1+2', '0+4', '0+4']);
    const count = (metric: string) => t.points.filter((p) => p.metric === metric).length;
    expect([count('power'), count('voltage'), count('energy')]).toEqual([3, 3, 1]);
    expect(t.points.find((p) => p.metric === 'energy')?.value).toBe(101 * 65536 + 102);
  });

  it('a device whose points are all slow asks nothing at a poll where none is due, and stays connected', async () => {
    const srv = track.add(await startServerTcp({ holding: new Map([[0, 7]]) }), (s) => s.close());
    const t = createTestContext();
    const src = track.add(createModbusSource(oneDevice(srv.url, [{ metric: 'total', table: 'holding', address: 0, poll_ms: '15m' }]), t.ctx), (s) => s.stop());
    await src.once();
    await src.once();
    expect(srv.seen).toHaveLength(1);
    expect(t.points.map((p) => p.value)).toEqual([7]);
    expect(t.channels().plc?.state).toBe('connected');
    expect(t.problems).toEqual([]);
  });

  it('a request that got no answer stays due; one answered is due again at the first poll once its interval passed (half a poll early at most)', () => {
    const slow = new SlowReads();
    const request: ReadRequest = { table: 'holding', address: 0, count: 1, points: [], everyMs: 60_000 };
    const every: ReadRequest = { table: 'holding', address: 1, count: 1, points: [] };
    expect(slow.isDue(request, 0, 1000)).toBe(true);
    // Not answered (a timeout): asked again at the next poll.
    expect(slow.isDue(request, 1000, 1000)).toBe(true);
    slow.answered(request, 1000);
    expect(slow.isDue(request, 2000, 1000)).toBe(false);
    expect(slow.isDue(request, 60_400, 1000)).toBe(false);
    expect(slow.isDue(request, 60_500, 1000)).toBe(true);
    expect(slow.isDue(every, 2000, 1000)).toBe(true);
  });

  it('plans each interval apart, those read every poll first, and --check shows the interval of each request', () => {
    const points = [
      { table: 'holding' as const, address: 12, width: 4, pollMs: 86_400_000 },
      { table: 'holding' as const, address: 10, width: 2, pollMs: 900_000 },
      { table: 'holding' as const, address: 0, width: 1 },
      { table: 'holding' as const, address: 5, width: 1 },
    ];
    expect(planRequests(points).map((r) => [r.address, r.count, r.everyMs])).toEqual([[0, 6, undefined], [10, 2, 900_000], [12, 4, 86_400_000]]);
    const config = oneDevice('tcp://127.0.0.1:502', [
      { metric: 'power', table: 'holding', address: 0 },
      { metric: 'energy', table: 'holding', address: 10, type: 'uint32', poll_ms: 900_000 },
    ]);
    expect(describeModbus(config).slice(1)).toEqual(['  holding 0: power (uint16)', '  holding 10-11 (every 15m): energy (uint32)']);
  });

  it('is refused where it is not slower than its device: a point cannot be read more often than its device polls', () => {
    const config = modbusConfigSchema.parse({ devices: [{ name: 'plc', connection: 'tcp://127.0.0.1:502', poll_ms: 1000, points: [{ metric: 'fast', table: 'holding', address: 0, poll_ms: 200 }] }] });
    expect(checkModbus(config).map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'devices.0.points.0.poll_ms',
        "a point's poll_ms reads it less often than its device polls (every 1s), never more often: to read it every 200ms, set the device's poll_ms to 200ms and give its slower points a poll_ms of their own",
      ],
    ]);
  });
});
