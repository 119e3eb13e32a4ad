import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMapping, startBridge, type RunningBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { mavlinkBridge } from '../src/bridge.js';
import { startMavlinkSimulator } from '../src/simulator.js';
import type { MavlinkSource } from '../src/source.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { until } from '@fieldbridge/core/testing';

const track = trackCleanups();

async function setup(section: string, sink = ''): Promise<{ gw: Gateway; bridge: RunningBridge; source: MavlinkSource }> {
  const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
  const text = `
source_id: e2e
tags: { site: test }
sink:
  url: ${gw.url}
  api_key: k
  batch: { max_points: 500, linger_ms: 20 }${sink}
mavlink:
${section}
`;
  const config = parseMapping(text, 'e2e.yaml', mavlinkBridge, {});
  const bridge = track.add(await startBridge(mavlinkBridge, config, { logger: pino({ level: 'silent' }) }), (b) => b.stop());
  return { gw, bridge, source: bridge.instance as MavlinkSource };
}

/** The standard points counter of one channel. */
async function pointsOf(bridge: RunningBridge, channel: string): Promise<number> {
  const { values } = await bridge.registry.getSingleMetric('fieldbridge_source_points_total')!.get();
  return values.find((v) => v.labels.channel === channel)?.value ?? 0;
}

describe('end to end: vehicles -> bridge-mavlink -> sink -> gateway-dev', () => {
  it('delivers two simulated vehicles over UDP as two sources, with events, units, tags and their boot clocks on the wall clock', async () => {
    const { gw, bridge, source } = await setup(`
  connection: udpin://127.0.0.1:0
  messages:
    HEARTBEAT: { fields: [flight_mode, armed], on_change: true }
    ATTITUDE: [{ field: roll, to: deg }, pitch]
    GLOBAL_POSITION_INT: [lat, lon, relative_alt]
    BATTERY_STATUS: { fields: [voltage], metric: 'battery{instance}.{field}' }`);
    const started = Date.now();
    const sim = track.add(await startMavlinkSimulator({ port: source.localAddress()!.port, rateHz: 100, modePeriodMs: 200 }), (s) => s.close());
    // Both vehicles heard, then most of a second of flight: modes change every 200 ms.
    await until(() => bridge.readiness().ready && Object.keys(bridge.readiness().details.optional_channels ?? {}).length === 2, 'both vehicles');
    await until(() => sim.sent() > 300, 'most of a second of flight at 100 Hz', 20_000);
    await sim.close();
    await bridge.sink.flush();
    const stored = gw.points();
    const ended = Date.now();

    expect(new Set(stored.map((p) => p.source_id))).toEqual(new Set(['e2e-1', 'e2e-2']));
    const roll = stored.filter((p) => p.metric === 'attitude.roll');
    expect(roll.length).toBeGreaterThan(20);
    expect(roll[0]).toMatchObject({ class: 'metric', tags: { site: 'test', unit: 'deg' } });
    // The copter banks 0.35 rad = 20.05 degrees on its circle; the plane swings up to 0.5 rad.
    expect(roll.filter((p) => p.source_id === 'e2e-1').every((p) => Math.abs((p.value as number) - 20.0535228) < 1e-6)).toBe(true);
    // Boot times placed on the bridge's clock, which follows the gateway's (here the same host's)
    // within the clock synchronisation's error: a second either way is far more than that.
    for (const p of roll) {
      expect(p.timestamp).toBeGreaterThanOrEqual(started - 1000);
      expect(p.timestamp).toBeLessThanOrEqual(ended + 1000);
    }
    expect(stored.find((p) => p.metric === 'battery0.voltage')).toMatchObject({ class: 'metric', tags: { site: 'test', unit: 'V' } });
    expect(stored.filter((p) => p.metric === 'vehicle.found').map((p) => [p.source_id, p.value])).toEqual(
      expect.arrayContaining([
        ['e2e-1', { compid: 1, type: 'QUADROTOR', autopilot: 'ARDUPILOTMEGA' }],
        ['e2e-2', { compid: 1, type: 'FIXED_WING', autopilot: 'ARDUPILOTMEGA' }],
      ]),
    );
    // The copter flies GUIDED, LOITER, AUTO, RTL in turn, by the wall clock: which of them a
    // heartbeat catches depends on the machine's pace, so the order is checked, not the count.
    const changes = stored.filter((p) => p.metric === 'mode.changed' && p.source_id === 'e2e-1').map((p) => p.value as { mode: string; previous?: string });
    expect(changes[0]).toEqual({ mode: 'GUIDED' });
    expect(changes.length).toBeGreaterThanOrEqual(2);
    changes.slice(1).forEach((change, i) => {
      expect(['LOITER', 'AUTO', 'RTL', 'GUIDED']).toContain(change.mode);
      expect(change.previous).toBe(changes[i]!.mode);
    });
    // on_change: the flight mode point only when it changes, so once per mode.changed.
    const flightModes = stored.filter((p) => p.metric === 'heartbeat.flight_mode' && p.source_id === 'e2e-1').map((p) => p.value);
    expect(flightModes).toEqual(changes.map((c) => c.mode));
    // Loss per heartbeat (a loaded machine may drop a datagram on loopback: a ratio, not a promise of 0).
    const loss = stored.filter((p) => p.metric === 'link.loss_ratio');
    expect(loss.length).toBeGreaterThan(2);
    expect(loss.every((p) => p.class === 'metric' && (p.value as number) >= 0 && (p.value as number) <= 1)).toBe(true);
    expect(await pointsOf(bridge, 'system-1')).toBeGreaterThan(0);
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_mavlink_frames_total')).toMatch(/system="1"} [1-9]/);
  });

  it('replays a .tlog into the gateway at its recorded times, the vehicle its own source', async () => {
    const dir = await track.tempDir('bridge-mavlink-e2e-');
    const path = join(dir, 'flight.tlog');
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
    const record = (ms: number, frame: Buffer): Buffer => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt((t0 + ms) * 1000));
      return Buffer.concat([head, frame]);
    };
    await writeFile(path, Buffer.concat([
      record(0, encodeV2('HEARTBEAT', { type: 10, autopilot: 3, base_mode: 81, custom_mode: 4, system_status: 3, mavlink_version: 3 }, { sysid: 9, seq: 0 })),
      record(40, encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: 7_040, lat: 515_000_000, lon: -1_000_000, alt: 40_000, relative_alt: 1_500, hdg: 9_000 }, { sysid: 9, seq: 1 })),
      record(80, encodeV2('SYS_STATUS', { voltage_battery: 12_600, current_battery: -1, battery_remaining: 80 }, { sysid: 9, seq: 2 })),
    ]));
    const { gw, bridge, source } = await setup(`  connection: tlog://${path}`);
    // The replay ended: the vehicle's channel closed, the link down.
    await until(() => (bridge.readiness().details as { channels: Record<string, string> }).channels[source.channel] === 'disconnected', 'the end of the replay');
    await bridge.sink.flush();
    const rover = gw.points({ sourceId: 'e2e-9' });
    expect(rover.find((p) => p.metric === 'heartbeat.flight_mode')).toMatchObject({ value: 'HOLD', timestamp: t0 });
    expect(rover.find((p) => p.metric === 'armed.changed')).toMatchObject({ value: { armed: false }, timestamp: t0, class: 'event' });
    expect(rover.find((p) => p.metric === 'global_position_int.lat')).toMatchObject({ value: 51.5, timestamp: t0 + 40, tags: { site: 'test', unit: 'deg' } });
    expect(rover.find((p) => p.metric === 'global_position_int.hdg')).toMatchObject({ value: 90, timestamp: t0 + 40 });
    expect(rover.find((p) => p.metric === 'sys_status.voltage_battery')).toMatchObject({ value: 12.6, timestamp: t0 + 80 });
    // current_battery -1 means "not known": no point.
    expect(rover.some((p) => p.metric === 'sys_status.current_battery')).toBe(false);
  });
});
