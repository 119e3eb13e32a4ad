import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../packages/gateway-dev/bin.js', import.meta.url));

/** Starts fieldbridge-gateway as a separate process on a free port; resolves when it listens. */
export async function startGatewayProcess(apiKey, extraArgs = []) {
  const child = spawn(process.execPath, [bin, '--port', '0', '--quiet', '--api-key', apiKey, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${stderr}`)));
  });
  const origin = new URL(url).origin;
  return {
    url,
    origin,
    async stats() {
      return (await fetch(`${origin}/_dev/stats`)).json();
    },
    async reset() {
      await fetch(`${origin}/_dev/reset`, { method: 'POST' });
    },
    stop() {
      child.kill('SIGTERM');
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
