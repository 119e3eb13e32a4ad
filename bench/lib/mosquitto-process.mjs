import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts Debian's mosquitto on a loopback port probed free (mosquitto cannot report an
 * OS-chosen one), with a generated config; resolves once it accepts connections.
 */
export async function startMosquittoProcess(extraLines = []) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-mosquitto-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, `user ${userInfo().username}`, 'allow_anonymous true', 'log_dest stderr', 'log_type error', ...extraLines, ''].join('\n'));
    const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => (log += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    while (!exited && !(await accepts(port))) await delay(20);
    if (exited) {
      if (/Address already in use/.test(log)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto exited: ${log}`);
    }
    return {
      url: `mqtt://127.0.0.1:${port}`,
      async stop() {
        if (child.exitCode === null) {
          const exit = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exit;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error('mosquitto: no free port after 5 attempts');
}
