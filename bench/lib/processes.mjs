import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from './gateway-process.mjs';

/** Starts the discard receiver as its own process; resolves once it listens. */
export async function startDiscardReceiver(args = []) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./discard-receiver.mjs', import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`discard receiver exited ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    name: 'discard receiver',
    url: `${origin}/ingest`,
    origin,
    async mode(up) {
      await fetch(`${origin}/_mode`, { method: 'POST', headers: { 'x-mode': up ? 'up' : 'down' }, body: 'x' });
    },
    async reset() {},
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/** gateway-dev as its own process (counting only, InfluxDB route on): the realistic receiver. */
export async function startGatewayReceiver(key) {
  const gw = await startGatewayProcess(key, ['--influx', '--count-only', '--no-page']);
  return { ...gw, name: 'gateway-dev' };
}

/** Runs `script args` in a fresh process and resolves with the JSON it prints last on stdout. */
export function runChild(script, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (err) {
        reject(new Error(`${script}: no result (${err.message}): ${out}`));
      }
    });
  });
}

/** Fisher-Yates with a seed, so a run's order can be repeated. */
export function shuffled(items, seed) {
  const out = [...items];
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** min, median and max of a list. */
export function spread(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}
