import { parseMapping, startBridge, type RunningBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { modbusBridge } from '../src/bridge.js';
import { startModbusSimulator, type ModbusSimulator } from '../src/simulator.js';

const track = trackCleanups();

async function setup(points: string): Promise<{ gw: Gateway; sim: ModbusSimulator; bridge: RunningBridge }> {
  const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
  const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
  const text = `
source_id: e2e-modbus
tags: { site: test }
sink:
  url: ${gw.url}
  api_key: k
  batch: { max_points: 100, linger_ms: 20 }
modbus:
  devices:
    - name: press1
      connection: ${sim.url}
      unit_id: 3
      tags: { line: l1 }
      points:
${points}
`;
  const config = parseMapping(text, 'e2e.yaml', modbusBridge, {});
  const bridge = track.add(await startBridge(modbusBridge, config, { logger: pino({ level: 'silent' }), deferStart: true }), (b) => b.stop());
  return { gw, sim, bridge };
}

describe('end to end: simulator -> bridge-modbus -> sink -> gateway-dev', () => {
  it('delivers one poll cycle with tags, classes and timestamps', async () => {
    const { gw, bridge } = await setup(`
        - { metric: '{device}.level', table: holding, address: 0, scale: 0.1, unit: '%' }
        - { metric: '{device}.flow', table: holding, address: 2, type: float32 }
        - { metric: '{device}.serial', table: holding, address: 12, type: string, length: 8 }
        - { metric: '{device}.running', table: holding, address: 20, type: bit, bit: 0 }
        - { metric: '{device}.pump', table: coil, address: 0 }`);
    const before = Date.now();
    await bridge.once();
    await bridge.sink.flush();
    const stored = gw.points();
    expect(stored.map((p) => p.metric).sort()).toEqual(['press1.flow', 'press1.level', 'press1.pump', 'press1.running', 'press1.serial']);
    const level = stored.find((p) => p.metric === 'press1.level');
    expect(level).toMatchObject({ source_id: 'e2e-modbus', class: 'metric', tags: { site: 'test', line: 'l1', device: 'press1', unit: '%' } });
    expect(level?.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(stored.find((p) => p.metric === 'press1.serial')?.value).toBe('FB-SIM-01');
    expect(stored.find((p) => p.metric === 'press1.pump')?.value).toBe(true);
    // bool, bit and string values go as events, said so on the wire (the gateway stores what it was sent).
    for (const metric of ['press1.serial', 'press1.running', 'press1.pump']) expect(stored.find((p) => p.metric === metric)?.class, metric).toBe('event');
    expect(bridge.readiness().ready).toBe(true);
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_modbus_requests_total')).toMatch(/device="press1",table="holding"} 1/);
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_points_total')).toMatch(/bridge="modbus",channel="press1"} 5/);
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_connected')).toMatch(/bridge="modbus",channel="press1"} 1/);
  });

  it('keeps delivering when one point answers ILLEGAL DATA ADDRESS', async () => {
    const { gw, bridge } = await setup(`
        - { metric: ok, table: holding, address: 998 }
        - { metric: missing, table: holding, address: 1000 }
        - { metric: also.ok, table: holding, address: 999 }`);
    await bridge.once();
    await bridge.once();
    await bridge.sink.flush();
    expect(gw.points({ metric: 'ok' })).toHaveLength(2);
    expect(gw.points({ metric: 'also.ok' })).toHaveLength(2);
    expect(gw.points({ metric: 'missing' })).toHaveLength(0);
    expect(bridge.readiness().details).toMatchObject({ channels: { press1: 'connected' } });
    // Refused four times: holding 998-1000, its half 999-1000 and 1000 alone, then 1000 again.
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_errors_total')).toMatch(/bridge="modbus",channel="press1",kind="illegal_data_address"} 4/);
  });
});
