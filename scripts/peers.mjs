// The external programs the tests and the demo run against, in one table that both
// scripts/setup.sh (what to install) and scripts/test.sh (what to check first) read, so the two
// cannot drift apart.
//
//   node scripts/peers.mjs packages   prints the Debian packages to install, one per line
//   node scripts/peers.mjs check      starts every peer once; exits 1 naming the package and the
//                                     install command of each one that does not work
//
// A check starts the peer for real (a broker that listens, a server that answers, a serial pair
// that appears), since a binary that is present can still fail at import or at start, as
// pymodbus's server did without python3-serial-asyncio.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every peer: the Debian packages it needs, who uses it, and a check that starts it. */
export const PEERS = [
  {
    name: 'mosquitto',
    packages: ['mosquitto'],
    usedBy: 'bridge-mqtt tests, the MQTT benchmark and the demo',
    check: checkMosquitto,
  },
  {
    name: 'pymodbus server',
    packages: ['python3-pymodbus', 'python3-serial-asyncio'],
    usedBy: 'bridge-modbus tests (an independent Modbus server and encoder)',
    check: checkPymodbus,
  },
  {
    name: 'python-can',
    packages: ['python3-can'],
    usedBy: 'bridge-can tests (an independent writer of Vector ASC, Vector BLF and candump logs)',
    check: checkPythonCan,
  },
  {
    name: 'socat',
    packages: ['socat'],
    usedBy: 'serial-line tests of bridge-modbus and bridge-mavlink (a pty pair stands for an RS-485 line or a telemetry radio)',
    check: checkSocat,
  },
  {
    name: 'openssl',
    packages: ['openssl'],
    usedBy: 'TLS tests (a CA and certificates made at test time); bridge-opcua tests (certificates read back against openssl, an X.509 user)',
    check: checkOpenssl,
  },
  {
    name: 'User-Mode Linux with SocketCAN',
    packages: ['user-mode-linux', 'can-utils', 'kmod', 'python3'],
    usedBy: 'bridge-can tests (real SocketCAN: the host kernel has none, so a UML kernel with vcan0 runs them)',
    check: checkUml,
  },
  {
    name: 'systemd-analyze',
    packages: ['systemd'],
    usedBy: 'deploy tests (the systemd unit checked by systemd-analyze verify; systemd itself need not run)',
    check: checkSystemdAnalyze,
  },
  {
    name: 'chromium',
    packages: ['chromium'],
    usedBy: "gateway-dev's live page tests (headless, driven by playwright-core)",
    check: checkChromium,
  },
];

/** The install command for `packages`, as a user would type it. */
export function installCommand(packages) {
  return `sudo apt-get install -y ${packages.join(' ')}`;
}

async function main(command) {
  if (command === 'packages') {
    const all = new Set(PEERS.flatMap((p) => p.packages));
    process.stdout.write(`${[...all].join('\n')}\n`);
    return 0;
  }
  if (command !== 'check') {
    process.stderr.write('usage: node scripts/peers.mjs packages|check\n');
    return 2;
  }
  const failures = [];
  for (const peer of PEERS) {
    const started = Date.now();
    let problem;
    try {
      problem = await withDeadline(peer.check(), 30_000, `${peer.name} did not start within 30 s`);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    if (problem) failures.push({ peer, problem });
    process.stderr.write(`peers: ${peer.name} ${problem ? 'FAILED' : 'ok'} (${Date.now() - started} ms)\n`);
  }
  if (failures.length === 0) return 0;
  for (const { peer, problem } of failures) {
    process.stderr.write(
      `\npeers: ${peer.name} does not work: ${problem.trim()}\n` +
        `  needed by: ${peer.usedBy}\n` +
        `  package${peer.packages.length > 1 ? 's' : ''}: ${peer.packages.join(', ')}\n` +
        `  install: ${installCommand(peer.packages)}   (or run bash scripts/setup.sh)\n`,
    );
  }
  return 1;
}

function withDeadline(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(message), ms);
    }),
  ]);
}

function which(binary) {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first stdout line of `child`, or rejects with what it printed when it exits first. */
function firstLine(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${(err || out).trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function checkMosquitto() {
  const binary = which('mosquitto') ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : undefined);
  if (!binary) return 'the mosquitto binary is not installed';
  const dir = mkdtempSync(join(tmpdir(), 'peers-mosquitto-'));
  const port = await freePort();
  writeFileSync(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const child = spawn(binary, ['-c', join(dir, 'm.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  try {
    for (let i = 0; i < 250; i++) {
      if (child.exitCode !== null) return `mosquitto exited at start: ${log.trim().split('\n').pop()}`;
      if (await connects(port)) return undefined;
      // Polling a listener that is not up yet; bounded by the loop.
      await new Promise((r) => setTimeout(r, 20));
    }
    return `mosquitto did not listen on port ${port}`;
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checkPymodbus() {
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 is not installed';
  const script = join(root, 'packages/bridge-modbus/test/fixtures/pymodbus-server.py');
  const child = spawn('/usr/bin/python3', [script, 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const info = JSON.parse(await firstLine(child));
    if (!(await connects(info.port))) return `the pymodbus server reported port ${info.port} but does not accept connections`;
    return undefined;
  } catch (err) {
    return `the pymodbus server did not start: ${err.message}`;
  } finally {
    await stop(child);
  }
}

async function checkSocat() {
  if (!which('socat')) return 'the socat binary is not installed';
  const dir = mkdtempSync(join(tmpdir(), 'peers-socat-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 250; i++) {
      if (child.exitCode !== null) return `socat exited with ${child.exitCode}`;
      if (existsSync(a) && existsSync(b)) return undefined;
      // Polling for the pty links socat creates; bounded by the loop.
      await new Promise((r) => setTimeout(r, 20));
    }
    return 'socat did not create a pty pair';
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checkOpenssl() {
  if (!which('openssl')) return 'the openssl binary is not installed';
  const made = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8' });
  return made.status === 0 && made.stdout.includes('PRIVATE KEY') ? undefined : `openssl genpkey failed: ${made.stderr.trim()}`;
}

/** Verifies a small unit, as the deploy test does with fieldbridge's. */
async function checkSystemdAnalyze() {
  if (!which('systemd-analyze')) return 'systemd-analyze is not installed';
  const dir = mkdtempSync(join(tmpdir(), 'peers-systemd-'));
  try {
    const unit = join(dir, 'peers-check.service');
    writeFileSync(unit, '[Unit]\nDescription=peers check\n\n[Service]\nType=exec\nExecStart=/bin/true\n');
    const verified = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    return verified.status === 0 ? undefined : `systemd-analyze verify failed: ${(verified.stderr || verified.error?.message || '').trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes Vector ASC and BLF logs with the fixture the bridge-can tests use. */
async function checkPythonCan() {
  const dir = mkdtempSync(join(tmpdir(), 'peers-python-can-'));
  try {
    const script = join(root, 'packages/bridge-can/test/fixtures/peers/python-can-logs.py');
    const made = spawnSync('/usr/bin/python3', [script, 'frames', '1700000000', join(dir, 'f.log'), join(dir, 'f.asc'), join(dir, 'f.blf')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    if (made.status !== 0) return `python-can could not write a log: ${(made.stderr || made.error?.message || '').trim().split('\n').slice(-1)[0]}`;
    return existsSync(join(dir, 'f.asc')) && existsSync(join(dir, 'f.blf')) ? undefined : 'python-can wrote no ASC or BLF log';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Boots UML the way the bridge-can tests do, and sends a frame on the vcan0 it brings up. */
async function checkUml() {
  const { runInUml, umlMissing } = await import('../packages/bridge-can/test/helpers/uml.mjs');
  const missing = umlMissing();
  if (missing) return missing;
  try {
    const run = await runInUml({ script: 'ip link show vcan0 && cansend vcan0 123#00 && echo vcan0-ok\n', timeoutMs: 25_000 });
    return run.code === 0 && run.output.includes('vcan0-ok') ? undefined : `the guest could not use vcan0 (exit ${run.code}): ${run.output.trim().split('\n').slice(-3).join(' | ')}`;
  } catch (err) {
    return err.message.split('\n').slice(0, 6).join(' | ');
  }
}

/** Renders a page that only a working JavaScript engine and DOM can produce, headless, with a throwaway profile. */
async function checkChromium() {
  if (!existsSync('/usr/bin/chromium')) return '/usr/bin/chromium is not installed';
  const profile = mkdtempSync(join(tmpdir(), 'peers-chromium-'));
  try {
    const page = 'data:text/html,<body><script>document.body.textContent = "rendered " + 6 * 7</script></body>';
    const child = spawn(
      '/usr/bin/chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', page],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (out.includes('rendered 42')) return undefined;
    return `chromium --headless did not render a page (exit ${code}): ${(err || out).trim().split('\n').slice(-2).join(' | ')}`;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv[2]);
}
