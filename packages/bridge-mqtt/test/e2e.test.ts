import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping, startBridge, type RunningBridge } from '@fieldbridge/core';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import { startMqttSimulator, type MqttSimulator } from '../src/simulator.js';
import { startMosquitto, type Mosquitto } from '../src/testing/mosquitto.js';
import { until } from '@fieldbridge/core/testing';

const example = fileURLToPath(new URL('../../../examples/mqtt/map.yaml', import.meta.url));
const track = trackCleanups();

const T0 = 1_750_000_000_000;

async function setup(): Promise<{ broker: Mosquitto; gw: Gateway; bridge: () => Promise<RunningBridge>; sim: () => Promise<MqttSimulator> }> {
  const broker = await startMosquitto();
  track.add(broker, (x) => x.close());
  const gw = await createGateway({ apiKeys: ['dev-key'] });
  track.add(gw, (x) => x.close());
  const env = { MQTT_URL: broker.url, FIELDBRIDGE_SINK_URL: gw.url };
  let clientId = 0;
  return {
    broker,
    gw,
    async bridge() {
      const config = parseMapping(readFileSync(example, 'utf8'), example, mqttBridge, env);
      // A fresh session per test: the example's fixed client id would resume an earlier one.
      (config.mqtt as { client_id: string }).client_id = `e2e-${process.pid}-${clientId++}`;
      const bridge = await startBridge(mqttBridge, config, { logger: pino({ level: 'silent' }) });
      track.add(bridge, (x) => x.stop());
      await until(() => bridge.readiness().ready, 'the bridge subscribed');
      return bridge;
    },
    async sim() {
      let t = T0;
      const sim = await startMqttSimulator({ url: broker.url, intervalMs: 3_600_000, now: () => (t += 1000) });
      track.add(sim, (x) => x.close());
      return sim;
    },
  };
}

describe('end to end: bridge-mqtt-sim -> mosquitto -> examples/mqtt/map.yaml -> gateway-dev', () => {
  it('delivers JSON, fields, counters and Sparkplug metrics with their timestamps and state events', async () => {
    const { gw, bridge, sim } = await setup();
    const running = await bridge();
    const simulator = await sim();
    await simulator.tick();
    await simulator.tick();
    await until(() => gw.points({ metric: 'edge1.robot1.gripper.closed' }).length === 3 && gw.points({ metric: 'line2.oven1.parts' }).length === 2, 'two rounds at the gateway');
    await running.sink.flush();

    const temps = gw.points({ metric: 'line1.press1.temperature' });
    expect(temps).toHaveLength(2);
    expect(temps[0]).toMatchObject({ source_id: 'plant-a-mqtt', class: 'metric', tags: { site: 'plant-a', line: 'line1', sensor: 'T-101', unit: 'degC' } });
    expect(typeof temps[0]?.value).toBe('number');
    // Payload time (seconds in the JSON), not receipt time.
    expect(temps.map((p) => p.timestamp! > T0 && p.timestamp! < T0 + 60_000)).toEqual([true, true]);
    expect(gw.points({ metric: 'line2.env.humidity' })[0]).toMatchObject({ tags: { unit: '%', line: 'line2' } });
    expect(gw.points({ metric: 'line1.env.door_open' }).map((p) => p.value)).toEqual([true, false]);
    expect(gw.points({ metric: 'line2.oven1.parts' }).map((p) => p.value)).toEqual([3, 6]);

    expect(gw.points({ metric: 'edge1.state' }).map((p) => p.value)).toEqual(['online']);
    expect(gw.points({ metric: 'edge1.robot1.state' }).map((p) => p.value)).toEqual(['online']);
    expect(gw.points({ metric: 'edge1.robot1.program' })[0]).toMatchObject({ value: 'pick-and-place', class: 'event', tags: { group: 'plant-a', edge_node: 'edge1', device: 'robot1' } });
    expect(gw.points({ metric: 'edge1.uptime_s' }).map((p) => p.value)).toEqual([0, 1, 2]);
    expect(gw.points({ metric: 'edge1.robot1.gripper.closed' }).map((p) => p.value)).toEqual([false, true, false]);

    await simulator.close();
    await until(() => gw.points({ metric: 'edge1.state' }).length === 2, 'the NDEATH state event');
    expect(gw.points({ metric: 'edge1.state' }).map((p) => p.value)).toEqual(['online', 'offline']);
    expect(gw.points({ metric: 'edge1.robot1.state' }).map((p) => p.value)).toEqual(['online', 'offline']);
    expect(await running.registry.getSingleMetricAsString('fieldbridge_source_errors_total')).not.toMatch(/} [1-9]/);
  });

  it('asks an edge node that was born before the bridge started for a rebirth', async () => {
    const { gw, bridge, sim } = await setup();
    const simulator = await sim();
    const running = await bridge();
    await simulator.tick();
    await until(() => gw.points({ metric: 'edge1.robot1.program' }).length === 1, 'the births again');
    await simulator.tick();
    await until(() => gw.points({ metric: 'edge1.robot1.cycles' }).length >= 2, 'DDATA decoded by alias');
    expect(await running.registry.getSingleMetricAsString('fieldbridge_mqtt_sparkplug_rebirths_total')).toMatch(/ 1$/m);
    expect(await running.registry.getSingleMetricAsString('fieldbridge_source_errors_total')).toMatch(/kind="unknown_alias"} [1-9]/);
  });
});
