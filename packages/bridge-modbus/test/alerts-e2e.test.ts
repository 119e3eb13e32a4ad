import { parseMapping, startBridge, type RuleEvent } from '@fieldbridge/core';
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import ModbusSerial from 'modbus-serial';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { modbusBridge } from '../src/bridge.js';
import { startModbusSimulator } from '../src/simulator.js';

const track = trackCleanups();

/** The part of modbus-serial's client this test drives: an independent master writing a register. */
interface Master {
  connectTCP(host: string, options: { port: number }): Promise<void>;
  setID(id: number): void;
  writeRegister(address: number, value: number): Promise<unknown>;
  close(done: () => void): void;
}
const ModbusRTU = ModbusSerial as unknown as new () => Master;

describe('an alert at the edge: simulator -> bridge-modbus -> rules -> sink -> gateway-dev', () => {
  it('a value crosses its threshold and holds; the alert fires after `for` while the gateway is down, and arrives once it is back', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const text = `
source_id: press-line
sink:
  url: ${gw.url}
  api_key: k
  batch: { linger_ms: 20 }
  retry: { initial_delay_ms: 20, max_delay_ms: 100 }
rules:
  - name: oil_hot
    when: press1.oil_temp > 80
    for: 300ms
    recover_for: 0
    tags: { severity: high }
modbus:
  devices:
    - name: press1
      connection: ${sim.url}
      unit_id: 3
      poll_ms: 50
      points:
        - { metric: '{device}.oil_temp', table: holding, address: 30 }
`;
    const config = parseMapping(text, 'alerts.yaml', modbusBridge, {});
    const bridge = track.add(await startBridge(modbusBridge, config, { logger: pino({ level: 'silent' }) }), (b) => b.stop());
    const fired: RuleEvent[] = [];
    // When each fire was heard, on the monotonic clock `for` is timed on.
    const heardAt: number[] = [];
    bridge.rules!.rules[0]!.listen({
      onFire: (e) => {
        fired.push(e);
        heardAt.push(performance.now());
      },
    });
    await until(() => gw.points({ metric: 'press1.oil_temp' }).length > 0, 'the first readings at the gateway');

    gw.setFaults({ status: 503 });
    const client = new ModbusRTU();
    track.defer(() => new Promise<void>((resolve) => client.close(() => resolve())));
    await client.connectTCP('127.0.0.1', { port: sim.port });
    client.setID(3);
    // The condition cannot begin to hold before the register is written.
    const writtenAt = performance.now();
    await client.writeRegister(30, 95);

    await until(() => fired.length > 0, 'the rule to fire');
    expect(heardAt[0]! - writtenAt).toBeGreaterThanOrEqual(300);
    // Its stamps are read from the corrected clock, which the gateway's answers may have nudged
    // between the two: `since` comes before the fire, the `for` it held is in the event.
    expect(fired[0]!.sinceMs).toBeLessThan(fired[0]!.atMs);
    expect(fired[0]!.point.value).toMatchObject({ for_ms: 300 });
    expect(fired[0]!.values).toEqual({ 'press1.oil_temp': 95 });
    await until(() => (gw.stats().byStatus['503'] ?? 0) > 0 && bridge.sink.status().spool.points > 0, 'batches refused while the gateway is down');
    expect(gw.points({ metric: 'alert.oil_hot' })).toEqual([]);

    gw.setFaults(undefined);
    const alert = await until(() => gw.points({ metric: 'alert.oil_hot' })[0], 'the alert at the gateway once it is back');
    expect(alert).toMatchObject({ source_id: 'press-line', class: 'event', tags: { rule: 'oil_hot', state: 'fired', severity: 'high' }, value: { state: 'fired', values: { 'press1.oil_temp': 95 } } });
    const crossing = await until(() => gw.points({ metric: 'press1.oil_temp' }).find((p) => p.value === 95), 'the crossing reading');
    // `for` is timed on the monotonic clock (checked above); timestamps are on the corrected clock,
    // which the gateway's answers may have nudged meanwhile: the alert comes after the crossing.
    expect(alert!.timestamp!).toBeGreaterThan(crossing!.timestamp!);

    await client.writeRegister(30, 60);
    const resolved = await until(() => gw.points({ metric: 'alert.oil_hot' })[1], 'the resolved event');
    expect(resolved).toMatchObject({ tags: { state: 'resolved' }, value: { by: 'value', values: { 'press1.oil_temp': 60 } } });
  });
});
