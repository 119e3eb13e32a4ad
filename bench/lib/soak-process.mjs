// Processes of the soak run: peers and receivers started as children that say when they are ready,
// free ports, and gateway-dev on a port of our choosing (so it can be restarted on the same one).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
/** Absolute path of a file in the repository. */
export const repoPath = (relative) => fileURLToPath(new URL(relative, root));

/** A TCP port the OS says is free right now (bind 0, read, close). */
export async function freeTcpPort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A UDP port the OS says is free right now. */
export async function freeUdpPort() {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => socket.once('error', reject).bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

/**
 * Spawns `command args` and resolves once a line of its `stream` (stdout or stderr) matches `ready`,
 * with the match; rejects if it exits first or `timeoutMs` passes. The other stream is ignored unless
 * `onLine` is given; without `ready` it counts as ready at once. `stop()` sends SIGTERM (SIGKILL after 10 s) and resolves at the exit.
 */
export function startReady(command, args, { ready, stream = 'stdout', env, cwd, onLine, timeoutMs = 60_000, name = command } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let text = '';
  const matched = new Promise((resolve, reject) => {
    if (!ready) resolve([]);
    const timer = ready ? setTimeout(() => reject(new Error(`${name}: not ready within ${timeoutMs} ms:\n${text.slice(-2000)}`)), timeoutMs) : undefined;
    const feed = (which) => {
      let rest = '';
      child[which].on('data', (chunk) => {
        rest += chunk.toString();
        const lines = rest.split('\n');
        rest = lines.pop();
        for (const line of lines) {
          onLine?.(line, which);
          if (which !== stream) continue;
          if (text.length < 100_000) text += `${line}\n`;
          const m = ready?.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        }
      });
    };
    feed('stdout');
    feed('stderr');
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${text.slice(-2000)}`));
    });
  });
  matched.catch(() => undefined);
  return {
    child,
    ready: matched,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      const result = await exited;
      clearTimeout(kill);
      return result;
    },
  };
}

/** gateway-dev counting only, on `port` (0: any), as its own process; resolves with its ingest URL. */
export async function startGateway(key, port = 0) {
  const proc = startReady(process.execPath, [repoPath('packages/gateway-dev/bin.js'), '--port', String(port), '--quiet', '--count-only', '--no-page', '--api-key', key], {
    ready: /listening on (http:\/\/\S+)/,
    stream: 'stderr',
    name: 'gateway-dev',
  });
  const [, url] = await proc.ready;
  const origin = new URL(url).origin;
  return {
    url,
    port: Number(new URL(url).port),
    /** Points stored so far. */
    async points() {
      return (await (await fetch(`${origin}/_dev/stats`)).json()).points;
    },
    stop: () => proc.stop(),
  };
}
