// The main job: gateway-dev, a simulator and its bridge as three processes on free loopback
// ports: `node examples/demo.mjs` runs the Modbus one, `node examples/demo.mjs opcua` the OPC UA
// one. Points appear as the gateway stores them; Ctrl-C stops all three cleanly.
// DEMO_SECONDS=N stops by itself after N seconds (for scripted runs).
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const children = [];

function start(name, args, env = {}) {
  const child = spawn(node, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[demo] ${name} exited (${signal ?? code}); stopping`);
      void stop(1);
    }
  });
  return child;
}

/** Resolves with the first match of `pattern` in the child's output. */
function waitFor(child, stream, pattern) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child[stream] });
    rl.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before printing ${pattern}`)));
  });
}

/** Shows the bridge's JSON log lines as short readable ones. */
function showLogs(name, child) {
  createInterface({ input: child.stderr }).on('line', (line) => {
    try {
      const entry = JSON.parse(line);
      console.error(`[${name}] ${entry.msg}`);
    } catch {
      console.error(`[${name}] ${line}`);
    }
  });
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  // The bridge first, so it can deliver what it holds; then the simulator and the gateway.
  for (const child of [...children].reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const key = 'dev-key';
const gateway = start('gateway', ['packages/gateway-dev/bin.js', '--port', '0', '--api-key', key]);
const ingest = await waitFor(gateway, 'stderr', /listening on (http:\S+)/);
gateway.stdout.pipe(process.stdout);
console.error(`[demo] fieldbridge-gateway: ${ingest}`);

// Each bridge: its simulator, the line it prints its URL on, and the environment its example reads.
const bridges = {
  modbus: { sim: ['--port', '0'], url: /^(tcp:\/\/\S+)$/, env: ({ hostname, port }) => ({ MODBUS_HOST: hostname, MODBUS_PORT: port }) },
  opcua: {
    sim: ['--port', '0', '--interval-ms', '1000', '--alarm-period-ms', '30000'],
    url: /^(opc\.tcp:\/\/\S+)$/,
    env: ({ hostname, port }) => ({ OPCUA_HOST: hostname, OPCUA_PORT: port, FIELDBRIDGE_BUFFER: `${tmpdir()}/fieldbridge-demo-opcua` }),
  },
};
const name = process.argv[2] ?? 'modbus';
const chosen = bridges[name];
if (!chosen) {
  console.error(`[demo] no demo for "${name}"; choose ${Object.keys(bridges).join(' or ')}`);
  await stop(2);
}
const sim = start('simulator', [`packages/bridge-${name}/sim.js`, ...chosen.sim]);
const simUrl = await waitFor(sim, 'stdout', chosen.url);
console.error(`[demo] ${name} simulator: ${simUrl}`);

const { hostname, port } = new URL(simUrl.replace(/^[a-z.]+:/, 'http:'));
const bridge = start(`bridge-${name}`, [`packages/bridge-${name}/bin.js`, '--config', `examples/${name}/map.yaml`], {
  FIELDBRIDGE_SINK_URL: ingest,
  PLEXUS_API_KEY: key,
  OBSERVE_LISTEN: '127.0.0.1:0',
  ...chosen.env({ hostname, port }),
});
showLogs(`bridge-${name}`, bridge);
console.error(`[demo] bridge-${name} started with examples/${name}/map.yaml; points appear below as the gateway stores them. Ctrl-C stops.`);

if (process.env.DEMO_SECONDS) setTimeout(() => void stop(0), Number(process.env.DEMO_SECONDS) * 1000);
