// What each soak run measures: the peers it starts and the mapping its bridge runs. Each setup
// gets a scratch folder and the receiver's URL and key, and resolves with the bridge's package,
// mapping file, environment, the peers to stop, and what the rate is.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { freeUdpPort, repoPath, startReady } from './soak-process.mjs';

const node = process.execPath;
const OBSERVE = { listen: '127.0.0.1:0' };
/** The environment the example mappings read, pointed at this run's receiver and a free observe port. */
const exampleEnv = (sink) => ({ FIELDBRIDGE_SINK_URL: sink.url, PLEXUS_API_KEY: sink.key, OBSERVE_LISTEN: '127.0.0.1:0' });

/** Writes a mapping (JSON is YAML) into `dir`; resolves with its path. */
function mapping(dir, body) {
  const path = join(dir, 'map.yaml');
  writeFileSync(path, JSON.stringify(body, null, 1));
  return path;
}

/** The 17 points of examples/modbus/map.yaml, per device. */
const MODBUS_POINTS = [
  { metric: '{device}.tank.level', table: 'holding', address: 0, type: 'uint16', scale: 0.1, unit: '%', deadband: 0.5 },
  { metric: '{device}.oil.temperature', table: 'holding', address: 1, type: 'int16', scale: 0.1, unit: 'degC' },
  { metric: '{device}.flow', table: 'holding', address: 2, type: 'float32', unit: 'm3/h' },
  { metric: '{device}.pressure', table: 'holding', address: 4, type: 'float32', byte_order: 'CDAB', unit: 'bar' },
  { metric: '{device}.energy', table: 'holding', address: 6, type: 'uint32', unit: 'Wh' },
  { metric: '{device}.runtime', table: 'holding', address: 8, type: 'float64', unit: 'h' },
  { metric: '{device}.serial', table: 'holding', address: 12, type: 'string', length: 8 },
  { metric: '{device}.motor.running', table: 'holding', address: 20, type: 'bit', bit: 0 },
  { metric: '{device}.alarm', table: 'holding', address: 20, type: 'bit', bit: 1 },
  { metric: '{device}.motor.torque', table: 'holding', address: 21, type: 'int32', byte_order: 'DCBA', scale: 0.01, unit: 'Nm' },
  { metric: '{device}.parts.total', table: 'holding', address: 23, type: 'uint64', byte_order: 'BADC' },
  { metric: '{device}.vibration', table: 'input', address: 0, type: 'uint16', scale: 0.01, unit: 'mm/s' },
  { metric: '{device}.motor.speed', table: 'input', address: 1, type: 'float32', byte_order: 'DCBA', unit: 'rpm', deadband: 1 },
  { metric: '{device}.pump.on', table: 'coil', address: 0 },
  { metric: '{device}.conveyor.on', table: 'coil', address: 1 },
  { metric: '{device}.door.open', table: 'discrete', address: 0 },
  { metric: '{device}.guard.closed', table: 'discrete', address: 1 },
];
const MODBUS_SIMS = 2;
const MODBUS_UNITS = 3;
const MODBUS_POLL_MS = 100;

/** bridge-modbus against two bridge-modbus-sim processes, three unit ids each, every 100 ms; `spool`: a disk spool folder. */
async function modbus(dir, sink, spool) {
  const sims = [];
  const devices = [];
  for (let s = 0; s < MODBUS_SIMS; s++) {
    const sim = startReady(node, [repoPath('packages/bridge-modbus/sim.js'), '--port', '0'], { ready: /^(tcp:\/\/\S+)$/, name: 'bridge-modbus-sim' });
    sims.push(sim);
    const [, url] = await sim.ready;
    for (let u = 1; u <= MODBUS_UNITS; u++) {
      devices.push({ name: `press${devices.length + 1}`, connection: url, unit_id: u, poll_ms: MODBUS_POLL_MS, timeout_ms: 1000, retries: 1, byte_order: 'ABCD', tags: { line: `line${s + 1}` }, points: MODBUS_POINTS });
    }
  }
  const config = mapping(dir, {
    source_id: 'soak-modbus',
    tags: { site: 'soak' },
    sink: { url: sink.url, api_key: sink.key, batch: { max_points: 500, linger_ms: 1000 }, ...(spool ? { buffer: { path: spool } } : {}) },
    observe: OBSERVE,
    rules: [{ name: 'oil_hot', when: 'press1.oil.temperature > 24', for: '5s', recover_for: '10s', cooldown: '30s', tags: { severity: 'warning' } }],
    modbus: { reconnect: { initial_ms: 500, max_ms: 30000 }, devices },
  });
  return { pkg: 'bridge-modbus', config, peers: sims, rate: `${devices.length} devices x ${MODBUS_POINTS.length} points every ${MODBUS_POLL_MS} ms` };
}

const MQTT_RATE = 2000;
const MQTT_SIM_INTERVAL_MS = 100;

/** bridge-mqtt with examples/mqtt/map.yaml against mosquitto: a JSON publisher at 2,000 msg/s and bridge-mqtt-sim (Sparkplug B) every 100 ms. */
async function mqtt(dir, sink) {
  const broker = await startMosquitto();
  const publisher = startReady(node, [repoPath('bench/lib/mqtt-steady-publisher.mjs'), broker.url, String(MQTT_RATE)], { ready: /^ready$/, name: 'mqtt publisher' });
  await publisher.ready;
  const sim = startReady(node, [repoPath('packages/bridge-mqtt/sim.js'), '--url', broker.url, '--interval-ms', String(MQTT_SIM_INTERVAL_MS)], { name: 'bridge-mqtt-sim' });
  return {
    pkg: 'bridge-mqtt',
    config: repoPath('examples/mqtt/map.yaml'),
    env: { ...exampleEnv(sink), MQTT_URL: broker.url },
    peers: [publisher, sim, { stop: () => broker.close() }],
    rate: `${MQTT_RATE} JSON msg/s (QoS 1) + bridge-mqtt-sim every ${MQTT_SIM_INTERVAL_MS} ms (JSON, counters, Sparkplug B)`,
  };
}

const MAVLINK_RATE = 50;

/** bridge-mavlink with examples/mavlink/map.yaml, bridge-mavlink-sim's two vehicles over UDP at rate 50 (ATTITUDE 50 Hz each). */
async function mavlink(dir, sink) {
  const port = await freeUdpPort();
  const sim = startReady(node, [repoPath('packages/bridge-mavlink/sim.js'), '--port', String(port), '--rate', String(MAVLINK_RATE)], { ready: /udpin:/, name: 'bridge-mavlink-sim' });
  await sim.ready;
  return {
    pkg: 'bridge-mavlink',
    config: repoPath('examples/mavlink/map.yaml'),
    env: { ...exampleEnv(sink), MAVLINK_CONNECTION: `udpin://127.0.0.1:${port}` },
    peers: [sim],
    rate: `2 vehicles, sim --rate ${MAVLINK_RATE} (about ${Math.round(2 * MAVLINK_RATE * 1.8)} frames/s)`,
  };
}

const OPCUA_ITEMS = 1000;
const OPCUA_PERIOD_MS = 500;

/** bridge-opcua subscribed to 1,000 variables of the simulator's server (bench/lib/opcua-server.mjs), each changed every 500 ms. */
async function opcua(dir, sink) {
  const pki = join(dir, 'server-pki');
  mkdirSync(pki, { recursive: true });
  const server = startReady(node, [repoPath('bench/lib/opcua-server.mjs'), String(OPCUA_ITEMS), String(OPCUA_PERIOD_MS), pki], { ready: /^ready (\S+) (\d+)$/, name: 'opcua server' });
  const [, url, ns] = await server.ready;
  const config = mapping(dir, {
    source_id: 'soak-opcua',
    sink: { url: sink.url, api_key: sink.key, batch: { max_points: 1000, linger_ms: 500 } },
    observe: OBSERVE,
    opcua: {
      endpoint: url,
      pki: join(dir, 'client-pki'),
      publishing_interval_ms: OPCUA_PERIOD_MS,
      nodes: Array.from({ length: OPCUA_ITEMS }, (_, i) => ({ metric: `bench.${i}`, node_id: `ns=${ns};s=Bench.${i}`, sampling_interval_ms: OPCUA_PERIOD_MS })),
    },
  });
  return { pkg: 'bridge-opcua', config, peers: [server], rate: `${OPCUA_ITEMS} items changed every ${OPCUA_PERIOD_MS} ms` };
}

const CAN_LOG_S = 120;

/** bridge-can with examples/can/map.yaml replaying a 120 s bridge-can-sim log at recorded pace, in a loop. */
async function can(dir, sink) {
  const log = join(dir, 'drive.log');
  const sim = startReady(node, [repoPath('packages/bridge-can/sim.js'), '--duration', String(CAN_LOG_S), '--out', log], { name: 'bridge-can-sim' });
  const { code } = await sim.exited;
  if (code !== 0) throw new Error(`bridge-can-sim exited ${code}`);
  return {
    pkg: 'bridge-can',
    config: repoPath('examples/can/map.yaml'),
    env: { ...exampleEnv(sink), CAN_INTERFACE: `file:${log}` },
    peers: [],
    rate: `${CAN_LOG_S} s log (about 330 frames/s) at recorded pace, looped`,
  };
}

/** bridge-ble with examples/ble/map.yaml replaying examples/ble/sensors.ndjson (2 minutes) at recorded pace, looped. */
async function ble(dir, sink) {
  return {
    pkg: 'bridge-ble',
    config: repoPath('examples/ble/map.yaml'),
    env: { ...exampleEnv(sink), BLE_PACE: 'recorded', BLE_LOOP: 'true' },
    peers: [],
    rate: 'sensors.ndjson (420 adverts in 119 s) at recorded pace, looped',
  };
}

/** The runs, by name; `outage` is modbus with a disk spool while the receiver goes away. */
export const scenarios = {
  modbus: (dir, sink) => modbus(dir, sink),
  mqtt,
  mavlink,
  opcua,
  can,
  ble,
  outage: (dir, sink) => modbus(dir, sink, join(dir, 'spool')),
};
