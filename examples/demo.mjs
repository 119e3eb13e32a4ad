// The main job: every bridge at once. gateway-dev with its live page, a simulator per protocol
// (a Modbus PLC, an MQTT broker with a publisher speaking JSON and Sparkplug B, an OPC UA server,
// a CAN log replayed, two MAVLink vehicles, BLE adverts replayed) and one `fieldbridge run` of the
// six example mapping files, each process on free loopback ports. The live page's address comes
// first; Ctrl-C stops everything, the bridges first so they deliver what they hold.
//   node examples/demo.mjs [bridge ...]   only these bridges (modbus mqtt opcua can mavlink ble; default all)
//   DEMO_PORT=N      the page's port (default 8080, else any free one)
//   DEMO_SECONDS=N   stop by itself after N seconds (scripted runs)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';

const root = fileURLToPath(new URL('..', import.meta.url));
/** A workspace package's folder: its entry point is dist/index.js. */
const packageDir = (name) => join(dirname(fileURLToPath(import.meta.resolve(name))), '..');
const KEY = 'dev-key';
const work = mkdtempSync(join(tmpdir(), 'fieldbridge-demo-'));
const children = [];
let broker;
let stopping = false;
let statusTimer;

const say = (line) => process.stderr.write(`[demo] ${line}\n`);

/** Starts `node <script> args` in its own process group: Ctrl-C reaches only this script, which stops them in order. */
function start(name, script, args, env = {}) {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.name = name;
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping && !child.finishes) {
      say(`${name} exited (${signal ?? `code ${code}`}); stopping`);
      void stop(1);
    }
  });
  return child;
}

/** Resolves with the first match of `pattern` in a child's stdout or stderr lines. */
function lineOf(child, stream, pattern) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child[stream] });
    lines.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) resolve(m[1] ?? m[0]);
    });
    child.once('exit', () => reject(new Error(`${child.name} exited before printing ${pattern}`)));
  });
}

/** Shows a child's JSON log lines as short ones (warnings and errors, and what says it started). */
function showLogs(child, prefix) {
  createInterface({ input: child.stderr }).on('line', (line) => {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      if (line.trim()) process.stderr.write(`[${prefix}] ${line}\n`);
      return;
    }
    if (entry.level >= 40 || /running|health and metrics/.test(entry.msg ?? '')) {
      const where = entry.file ? ` ${entry.file.replace(/^examples\//, '')}` : '';
      process.stderr.write(`[${prefix}${where}] ${entry.msg}\n`);
    }
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  clearInterval(statusTimer);
  say('stopping: the bridges deliver what they hold, then the simulators and the gateway stop');
  // The bridges first (they deliver to the gateway), then the simulators (the MQTT one says
  // goodbye through the broker), the broker, the gateway last.
  const named = (test) => children.filter((c) => test(c.name));
  await Promise.all(named((n) => n === 'fieldbridge').map(terminate));
  await Promise.all(named((n) => n !== 'fieldbridge' && n !== 'gateway').map(terminate));
  await broker?.close();
  await Promise.all(named((n) => n === 'gateway').map(terminate));
  rmSync(work, { recursive: true, force: true });
  say(code === 0 ? 'stopped' : 'stopped after a failure');
  process.exit(code);
}
/** SIGTERM, and resolves once it exited. */
function terminate(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

/** Kills every child's process group at once (a second Ctrl-C, or this script exiting). */
function killChildren() {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  broker?.kill();
}
process.on('SIGINT', () => {
  if (!stopping) return void stop(0);
  say('Ctrl-C again: killing everything without waiting for delivery');
  killChildren();
  process.exit(1);
});
process.on('SIGTERM', () => void stop(0));
// Whatever happens to this script, no child outlives it.
process.on('exit', killChildren);

/** Where a started simulator line comes from: `<name> simulator` printing a URL on stdout. */
async function simulator(name, pkg, args, pattern = /^(\S+:\/\/\S+)$/) {
  const child = start(`${name} simulator`, join(packageDir(pkg), 'sim.js'), args);
  showLogs(child, child.name);
  return lineOf(child, 'stdout', pattern);
}

/** Per bridge: start its peer and say what its example map needs (environment) and what it reads. */
const SIMULATORS = {
  async modbus() {
    const url = await simulator('modbus', '@fieldbridge/bridge-modbus', ['--port', '0']);
    const at = new URL(url.replace('tcp:', 'http:'));
    return { env: { MODBUS_HOST: at.hostname, MODBUS_PORT: at.port }, said: `Modbus ${url}` };
  },
  async mqtt() {
    broker = await startMosquitto({ detached: true });
    const publisher = start('mqtt simulator', join(packageDir('@fieldbridge/bridge-mqtt'), 'sim.js'), ['--url', broker.url, '--interval-ms', '500']);
    showLogs(publisher, publisher.name);
    return { env: { MQTT_URL: broker.url }, said: `MQTT ${broker.url} (mosquitto)` };
  },
  async opcua() {
    const url = await simulator('opcua', '@fieldbridge/bridge-opcua', ['--port', '0', '--pki', join(work, 'opcua-server-pki'), '--alarm-period-ms', '20000']);
    const at = new URL(url.replace('opc.tcp:', 'http:'));
    return { env: { OPCUA_HOST: at.hostname, OPCUA_PORT: at.port, FIELDBRIDGE_BUFFER: join(work, 'opcua-buffer') }, said: `OPC UA ${url}` };
  },
  async can() {
    const drive = join(work, 'drive.log');
    const writer = start('can simulator', join(packageDir('@fieldbridge/bridge-can'), 'sim.js'), ['--duration', '300', '--out', drive]);
    writer.finishes = true;
    showLogs(writer, writer.name);
    await new Promise((resolve, reject) => writer.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the CAN simulator exited ${code}`)))));
    return { env: { CAN_INTERFACE: `file:${drive}` }, said: 'CAN a five-minute drive log, replayed in a loop' };
  },
  async mavlink() {
    const url = await simulator('mavlink', '@fieldbridge/bridge-mavlink', ['--tcp', '--port', '0']);
    return { env: { MAVLINK_CONNECTION: url }, said: `MAVLink ${url} (two vehicles)` };
  },
  async ble() {
    return { env: { BLE_LOOP: 'true' }, said: 'BLE examples/ble/sensors.ndjson, replayed in a loop' };
  },
};

const chosen = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(SIMULATORS);
const unknown = chosen.filter((b) => !(b in SIMULATORS));
if (unknown.length > 0) {
  say(`no bridge ${unknown.join(', ')}: choose from ${Object.keys(SIMULATORS).join(', ')} (default all)`);
  process.exit(2);
}

try {
  // 1. The gateway and its live page, whose address comes first.
  const port = process.env.DEMO_PORT ?? ((await portFree(8080)) ? '8080' : '0');
  const gateway = start('gateway', join(packageDir('@fieldbridge/gateway-dev'), 'bin.js'), ['--port', port, '--api-key', KEY, '--quiet', '--keep', '200000']);
  const ingest = await lineOf(gateway, 'stderr', /listening on (http:\S+)/);
  const origin = new URL(ingest).origin;
  process.stdout.write(`\n  Live page: ${origin}/\n\n`);
  showLogs(gateway, 'gateway');

  // 2. A simulator per bridge, all at once; each gives the environment its example map reads.
  const envs = await Promise.all(chosen.map((bridge) => SIMULATORS[bridge]()));
  say(`simulators: ${envs.map((e) => e.said).join(', ')}`);

  // 3. The bridges, one process: their example mapping files, each its own source.
  const maps = chosen.map((b) => `examples/${b}/map.yaml`);
  const env = Object.assign({ FIELDBRIDGE_SINK_URL: ingest, PLEXUS_API_KEY: KEY, OBSERVE_LISTEN: '127.0.0.1:0' }, ...envs.map((e) => e.env));
  const bridges = start('fieldbridge', join(packageDir('fieldbridge'), 'bin.js'), ['run', ...maps], env);
  showLogs(bridges, 'fieldbridge');
  say(`fieldbridge run ${maps.join(' ')}`);
  say(`open ${origin}/ to watch the data arrive; Ctrl-C stops everything`);

  // 4. A line every 10 s: what the gateway stored, per source.
  let last = 0;
  statusTimer = setInterval(async () => {
    try {
      const stats = await (await fetch(`${origin}/_dev/stats`)).json();
      const sources = Object.entries(stats.bySource).map(([id, n]) => `${id} ${n.toLocaleString('en-US')}`).join(', ');
      say(`stored ${stats.points.toLocaleString('en-US')} points (+${(stats.points - last).toLocaleString('en-US')}): ${sources}`);
      last = stats.points;
    } catch {
      // The gateway is stopping.
    }
  }, 10_000);
  if (process.env.DEMO_SECONDS) setTimeout(() => void stop(0), Number(process.env.DEMO_SECONDS) * 1000).unref();
} catch (err) {
  say(`could not start: ${err.message}`);
  await stop(1);
}
