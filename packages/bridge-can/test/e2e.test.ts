import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseMapping, startBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { canBridge } from '../src/bridge.js';
import { simulateDrive } from '../src/simulator/drive.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';

const track = trackCleanups();
const J1939_DBC = fileURLToPath(new URL('./fixtures/decode/j1939/case.dbc', import.meta.url));

describe('end to end: candump log -> bridge-can -> sink -> gateway-dev', () => {
  it('delivers a replayed capture from two DBC files with tags, classes, value-table text and the log times, then ends', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const log = track.add(await writeDriveLog({ durationMs: 2000, startMs: 1_700_000_000_000 }), (l) => l.close());
    // 662 frames of the drive (EngineData and SteeringAngle 200 each, WheelSpeeds and ImuData
    // 100, Transmission 40, BatteryStatus 20, VehicleDistance 2). After it: J1939 frames from two engines (values worked out in
    // fixtures/decode/j1939/how.md), an id no DBC defines, and a line that is no frame.
    await appendFile(
      log.path,
      ['(1700000002.000000) can0 0CF00400#000000401F000000', '(1700000002.010000) can0 18F00401#00000080250000FF', '(1700000002.020000) can0 7FF#0102', '(1700000002.030000) can0 garbage', ''].join('\n'),
    );
    const text = `
source_id: e2e-can
tags: { site: test }
sink:
  url: ${gw.url}
  api_key: k
  batch: { max_points: 1000, linger_ms: 20 }
can:
  interface: file:${log.path}
  dbc: [${VEHICLE_DBC_PATH}, ${J1939_DBC}]
  bus: vehicle
  tags: { vin: TEST1 }
  max_rate_hz: 10
  per_signal:
    - { match: 'Transmission.GearSelected', on_change: true }
`;
    const config = parseMapping(text, 'e2e.yaml', canBridge, {});
    const bridge = track.add(await startBridge(canBridge, config, { logger: pino({ level: 'silent' }) }), (b) => b.stop());
    expect(await bridge.instance.ended).toBe(`${log.path} replayed to its end: 665 frames from 666 lines, 1 line skipped`);
    await bridge.sink.flush();

    // EngineData comes every 10 ms for 2 s (200 frames); at most 10 a second on the log's own
    // clock: the frames at 0, 100, ... 1900 ms pass.
    const rpm = gw.points({ metric: 'EngineData.EngineSpeed' });
    expect(rpm.map((p) => p.timestamp)).toEqual(Array.from({ length: 20 }, (_, i) => 1_700_000_000_000 + i * 100));
    expect(rpm[0]).toMatchObject({ source_id: 'e2e-can', class: 'metric', tags: { site: 'test', vin: 'TEST1', unit: 'rpm' } });
    // The values the simulator encoded, to the signal's resolution (its own tests check the encoding).
    const simulated = [...simulateDrive({ durationMs: 2000, startMs: 1_700_000_000_000 })].filter((s) => s.message.name === 'EngineData');
    rpm.forEach((p) => {
      const sent = simulated.find((s) => s.frame.timestampMs === p.timestamp)!;
      expect(Math.abs((p.value as number) - sent.values.EngineSpeed!)).toBeLessThanOrEqual(0.125);
    });

    // Value-table text beside the number, held back with it: the gear stays in P (0) for 2 s.
    expect(gw.points({ metric: 'Transmission.GearSelected' }).map((p) => p.value)).toEqual([0]);
    expect(gw.points({ metric: 'Transmission.GearSelected.text' }).map((p) => [p.value, p.class])).toEqual([['P', 'event']]);

    // The second DBC: J1939 by PGN, the source address and SPN as tags.
    expect(gw.points({ metric: 'EEC1.EngineSpeed' }).map((p) => [p.value, p.tags?.source_address, p.tags?.spn])).toEqual([
      [1000, '0', '190'],
      [1200, '1', '190'],
    ]);

    const metric = (name: string) => bridge.registry.getSingleMetricAsString(name);
    expect(await metric('fieldbridge_can_frames_total')).toMatch(/bus="vehicle",outcome="decoded"} 664/);
    expect(await metric('fieldbridge_can_frames_total')).toMatch(/bus="vehicle",outcome="unknown"} 1/);
    expect(await metric('fieldbridge_can_frames_total')).toMatch(/bus="vehicle",outcome="malformed"} 1/);
    expect(await metric('fieldbridge_can_unknown_frames_total')).toMatch(/bus="vehicle",id="0x7FF"} 1/);
    expect(await metric('fieldbridge_source_errors_total')).toMatch(/channel="vehicle",kind="unknown_id"} 1/);
    expect(await metric('fieldbridge_source_errors_total')).toMatch(/channel="vehicle",kind="malformed_line"} 1/);
    expect(await metric('fieldbridge_source_messages_total')).toMatch(/channel="vehicle"} 665/);
    const points = await bridge.registry.getSingleMetric('fieldbridge_source_points_total')!.get();
    expect(points.values[0]?.value).toBe(gw.stats().points);
    const suppressed = await bridge.registry.getSingleMetric('fieldbridge_source_points_suppressed_total')!.get();
    const held = suppressed.values.reduce((n, v) => n + v.value, 0);
    expect(held).toBeGreaterThan(gw.stats().points);
  });
});
