import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMapping, startBridge, type RunningBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { SIM_NAMESPACE } from '../src/server.js';
import { startOpcuaSimulator, type OpcuaSimulator } from '../src/simulator.js';
import { createCleanup } from './helpers/cleanup.js';

// The whole path: the simulator (a node-opcua server on a port the OS picks) -> bridge-opcua
// under the core's runtime -> the real sink (HTTP, spool) -> gateway-dev.
const files = createCleanup();
const track = trackCleanups();
const PASSWORD = 'e2e-operator-pw';
let sim: OpcuaSimulator;

beforeAll(async () => {
  // Steps are driven by tick(): the timer's hour-long interval is far beyond the test.
  sim = await startOpcuaSimulator({ pkiDir: files.dir('sim'), intervalMs: 3_600_000, alarmPeriodMs: 4 * 3_600_000, users: { operator: PASSWORD } });
  files.add(() => sim.stop());
});
afterAll(() => files.run());

async function gateway(): Promise<Gateway> {
  return track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
}

async function run(text: string, env: NodeJS.ProcessEnv = {}): Promise<RunningBridge> {
  const config = parseMapping(text, 'e2e.yaml', opcuaBridge, env);
  return track.add(await startBridge(opcuaBridge, config, { logger: pino({ level: 'silent' }), deferStart: true }), (b) => b.stop());
}

describe('end to end: simulator -> bridge-opcua -> sink -> gateway-dev', () => {
  it('delivers values, a folder and an alarm with tags, classes and timestamps', async () => {
    const gw = await gateway();
    const bridge = await run(`
source_id: e2e-opcua
tags: { site: test }
sink:
  url: ${gw.url}
  api_key: k
  batch: { max_points: 100, linger_ms: 20 }
opcua:
  endpoint: ${sim.endpointUrl}
  pki: ${files.dir('client')}
  publishing_interval_ms: 20ms
  nodes:
    - { metric: boiler.temperature, node_id: 'nsu=${SIM_NAMESPACE};s=Boiler.Temperature', unit: degC, tags: { room: b1 } }
    - { metric: sim.uint64, browse_path: Sim/Types/UInt64 }
  folders:
    - { metric: 'line1.{path}', browse_path: Line1 }
  events:
    - { metric: alarms, where: { min_severity: 100 } }
`);
    await bridge.once();
    await sim.eventsMonitored();
    sim.setAlarmInput(95);
    // Items are created group by group, each group's first values in their own message: the
    // gateway (no push to wait on) is asked until every series and the alarm are stored.
    const expected = new Set(['boiler.temperature', 'sim.uint64', 'alarms', ...[1, 2, 3].flatMap((m) => [`line1.Motor${m}.Speed`, `line1.Motor${m}.Current`])]);
    await expect.poll(() => new Set(gw.points().map((p) => p.metric)), { timeout: 10_000 }).toEqual(expected);
    const stored = gw.points();
    expect(stored.find((p) => p.metric === 'boiler.temperature')).toMatchObject({ source_id: 'e2e-opcua', class: 'metric', tags: { site: 'test', room: 'b1', unit: 'degC' } });
    expect(stored.find((p) => p.metric === 'sim.uint64')).toMatchObject({ value: '18446744073709551615', class: 'event' });
    const alarm = stored.find((p) => p.metric === 'alarms' && (p.value as { ActiveState?: boolean }).ActiveState === true);
    expect(alarm).toMatchObject({ class: 'event', value: { ConditionName: 'TemperatureAlarm', EventType: 'ExclusiveLimitAlarmType' } });
    for (const point of stored) expect(point.timestamp).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(bridge.readiness()).toMatchObject({ ready: true, details: { channels: { [sim.endpointUrl]: 'connected' } } });
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_points_total')).toMatch(new RegExp(`bridge="opcua",channel="${sim.endpointUrl.replaceAll('.', '\\.')}"} \\d+`));
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_opcua_monitored_items')).toMatch(/state="active"} 9/);
    sim.setAlarmInput(20);
  });

  it('runs examples/opcua/map.yaml: SignAndEncrypt, a login from the environment, the certificate kept next to the spool', async () => {
    const gw = await gateway();
    const spool = files.dir('spool');
    const file = fileURLToPath(new URL('../../../examples/opcua/map.yaml', import.meta.url));
    const bridge = await run(readFileSync(file, 'utf8'), {
      OPCUA_PORT: String(sim.port),
      OPCUA_PASSWORD: PASSWORD,
      FIELDBRIDGE_SINK_URL: gw.url,
      PLEXUS_API_KEY: 'k',
      FIELDBRIDGE_BUFFER: spool,
      OBSERVE_LISTEN: '127.0.0.1:0',
    });
    sim.tick();
    // The step put the boiler above the alarm's limit; back to normal before the bridge listens.
    sim.setAlarmInput(50);
    await bridge.once(30_000);
    const metrics = ['boiler.temperature', 'boiler.Pressure', 'boiler.running', 'sim.array', 'sim.int64', 'line1.Motor1.Speed'];
    await expect.poll(() => metrics.filter((m) => gw.points({ metric: m }).length === 0), { timeout: 10_000 }).toEqual([]);
    expect(gw.points({ metric: 'boiler.temperature' })[0]).toMatchObject({ source_id: 'plant-a-boiler', tags: { site: 'plant-a', unit: 'degC' } });
    expect(existsSync(join(spool, 'opcua-pki', 'own', 'certs', 'client_certificate.pem'))).toBe(true);
    // Its alarms: each raise and its return to normal, once each (not the branch of the unacknowledged raise).
    await sim.eventsMonitored();
    const states = () => gw.points({ metric: 'boiler.alarms' }).map((p) => (p.value as { ActiveState?: boolean }).ActiveState);
    sim.setAlarmInput(95);
    await expect.poll(states, { timeout: 10_000 }).toEqual([true]);
    sim.setAlarmInput(50);
    await expect.poll(states, { timeout: 10_000 }).toEqual([true, false]);
    await bridge.stop();
    expect(states()).toEqual([true, false]);
  });
});
