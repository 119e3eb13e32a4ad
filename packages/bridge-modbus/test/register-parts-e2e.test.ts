import { parseMapping, startBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { modbusBridge } from '../src/bridge.js';
import { startModbusSimulator } from '../src/simulator.js';
import { startFrameCounter } from './helpers/frame-counter.js';

const track = trackCleanups();

describe('end to end over Modbus TCP: int8, uint8, float16 and bitfield points', () => {
  it('reads both bytes of a register and the fields of another in one request, scaled, deadbanded and delivered', async () => {
    let now = 1_700_000_000_000;
    const sim = track.add(await startModbusSimulator({ port: 0, now: () => now }), (s) => s.close());
    const wire = track.add(await startFrameCounter(sim.port), (w) => w.close());
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const text = `
source_id: e2e-parts
sink: { url: ${gw.url}, api_key: k, batch: { max_points: 100, linger_ms: 20 } }
modbus:
  devices:
    - name: hvac
      connection: ${wire.url}
      max_gap: 0
      points:
        - { metric: '{device}.mode', table: holding, address: 27, type: uint8, byte: high }
        - { metric: '{device}.trim', table: holding, address: 27, type: int8, byte: low, scale: 0.5, unit: K }
        - { metric: '{device}.setpoint', table: holding, address: 28, type: float16, unit: degC }
        - { metric: '{device}.state', table: holding, address: 29, type: bitfield, bit: 0, bits: 4 }
        - { metric: '{device}.gear', table: holding, address: 29, type: bitfield, bit: 4, bits: 4, deadband: 2 }
`;
    const config = parseMapping(text, 'parts.yaml', modbusBridge, {});
    const bridge = track.add(await startBridge(modbusBridge, config, { logger: pino({ level: 'silent' }), deferStart: true }), (b) => b.stop());
    // 30 s into the simulator's waves: mode 2, trim -5 (x0.5), setpoint 21.5, state 5, gear 3.
    now += 30_000;
    await bridge.once();
    // 45 s: mode 3, trim 4, setpoint 20, gear 4 (within its deadband of 2 from 3: held back).
    now += 15_000;
    await bridge.once();
    await bridge.sink.flush();
    const values = (metric: string): unknown[] => gw.points({ metric }).map((p) => p.value);
    expect(values('hvac.mode')).toEqual([2, 3]);
    expect(values('hvac.trim')).toEqual([-2.5, 2]);
    expect(values('hvac.setpoint')).toEqual([21.5, 20]);
    expect(values('hvac.state')).toEqual([5, 5]);
    expect(values('hvac.gear')).toEqual([3]);
    expect(gw.points({ metric: 'hvac.trim' })[0]).toMatchObject({ class: 'metric', tags: { device: 'hvac', unit: 'K' } });
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_points_suppressed_total')).toMatch(/channel="hvac",reason="deadband"} 1/);
    // One read of holding 27-29 per cycle, as seen on the wire.
    expect(wire.requests).toEqual([
      { unit: 1, functionCode: 3, address: 27, count: 3 },
      { unit: 1, functionCode: 3, address: 27, count: 3 },
    ]);
  });
});
