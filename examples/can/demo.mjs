// The CAN demo: the simulator writes a two-minute drive of the example vehicle, gateway-dev
// listens on a free loopback port, and bridge-can replays the drive into it at its recorded
// pace, in a loop (examples/can/map.yaml). Points appear as the gateway stores them; the live
// page's address is printed. Ctrl-C stops all of it cleanly. DEMO_SECONDS=N stops by itself.
// From the repository root, after `pnpm build`:   node examples/can/demo.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fieldbridge-can-demo-'));
const children = [];
let stopping = false;

function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    createInterface({ input: child[stream] }).on('line', (line) => {
      const m = pattern.exec(line);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before printing ${pattern}`)));
  });
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  // The bridge first, so that it delivers what it holds; then the gateway.
  for (const child of [...children].reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const log = join(work, 'drive.log');
const sim = spawn(process.execPath, ['packages/bridge-can/sim.js', '--duration', '120', '--out', log], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if ((await new Promise((resolve) => sim.once('exit', resolve))) !== 0) throw new Error('bridge-can-sim could not write the drive');

const key = 'dev-key';
const gateway = start('gateway', ['packages/gateway-dev/bin.js', '--port', '0', '--api-key', key]);
const ingest = await waitFor(gateway, 'stderr', /listening on (http:\S+)/);
gateway.stdout.pipe(process.stdout);
console.error(`[demo] fieldbridge-gateway: ${ingest} (the live page: ${new URL(ingest).origin}/)`);

const bridge = start('bridge-can', ['packages/bridge-can/bin.js', '--config', 'examples/can/map.yaml'], {
  FIELDBRIDGE_SINK_URL: ingest,
  PLEXUS_API_KEY: key,
  CAN_INTERFACE: `file:${log}`,
  OBSERVE_LISTEN: '127.0.0.1:0',
});
createInterface({ input: bridge.stderr }).on('line', (line) => {
  try {
    console.error(`[bridge-can] ${JSON.parse(line).msg}`);
  } catch {
    console.error(`[bridge-can] ${line}`);
  }
});
console.error('[demo] bridge-can replays the drive with examples/can/map.yaml; points appear below as the gateway stores them. Ctrl-C stops.');

if (process.env.DEMO_SECONDS) setTimeout(() => void stop(0), Number(process.env.DEMO_SECONDS) * 1000);
