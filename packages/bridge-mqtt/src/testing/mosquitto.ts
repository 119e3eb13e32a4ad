import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /** Keep sessions and queued messages across restarts (persistence_location in the temp dir). */
  persistence?: boolean;
  /** Serve TLS (mqtts) with these PEM files. */
  tls?: { ca: string; cert: string; key: string; requireCertificate?: boolean };
  /** Per-client queue limits: QoS 1/2 messages kept beyond those in flight (default 100000), and in flight unacknowledged (mosquitto's default 20). */
  queue?: { maxQueuedMessages?: number; maxInflightMessages?: number };
  /** Extra mosquitto.conf lines. */
  extra?: string[];
  /** Its own process group, so a terminal's Ctrl-C reaches only the script that started it (which stops it). */
  detached?: boolean;
}

/** A Debian mosquitto process on a loopback port probed free at start. */
export interface Mosquitto {
  port: number;
  /** `mqtt://127.0.0.1:<port>` (or `mqtts://` with TLS). */
  url: string;
  /** What mosquitto logged (stderr). */
  log(): string;
  /** SIGTERM and wait for the exit (mosquitto saves its persistence file then). */
  stop(): Promise<void>;
  /** Starts again on the same port with the same config. */
  start(): Promise<void>;
  /** Stops and removes the temp dir. */
  close(): Promise<void>;
  /** SIGKILL at once, synchronously (a process exiting in a hurry). */
  kill(): void;
}

/** A port the OS says is free right now (bind 0, read, close): mosquitto cannot report an OS-chosen one. */
export async function probeFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once a TCP connection to the port succeeds; rejects if `exited` settles first. */
async function waitForListener(port: number, exited: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (exited()) throw new Error('mosquitto exited before accepting connections');
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    // Polling a condition: the broker is not listening yet.
    await delay(20);
  }
  throw new Error(`mosquitto did not listen on ${port} within ${deadlineMs} ms`);
}

function configText(port: number, dir: string, options: MosquittoOptions): string {
  // Run as root, mosquitto drops to user mosquitto, which cannot use our temp dir: stay who we are.
  const lines = [`listener ${port} 127.0.0.1`, `user ${userInfo().username}`, 'allow_anonymous true', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice'];
  lines.push(`max_queued_messages ${options.queue?.maxQueuedMessages ?? 100_000}`);
  if (options.queue?.maxInflightMessages !== undefined) lines.push(`max_inflight_messages ${options.queue.maxInflightMessages}`);
  if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 0');
  if (options.tls) {
    lines.push(`cafile ${options.tls.ca}`, `certfile ${options.tls.cert}`, `keyfile ${options.tls.key}`);
    lines.push(`require_certificate ${options.tls.requireCertificate ? 'true' : 'false'}`);
  }
  lines.push(...(options.extra ?? []));
  return `${lines.join('\n')}\n`;
}

/** Starts mosquitto with a generated config in a temp dir; retries on a port taken meanwhile. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'fb-mosquitto-'));
  let port = 0;
  let child: ChildProcess | undefined;
  let log = '';
  const launch = async (): Promise<boolean> => {
    const conf = join(dir, 'mosquitto.conf');
    await writeFile(conf, configText(port, dir, options));
    const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached ?? false });
    child = proc;
    // A safety net: a test runner that dies mid-test must not leave brokers behind.
    const reap = (): void => {
      proc.kill('SIGKILL');
    };
    process.once('exit', reap);
    proc.once('exit', () => process.off('exit', reap));
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    try {
      await waitForListener(port, () => exited);
      return true;
    } catch (err) {
      if (/Address already in use/.test(log)) return false;
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  };
  const start = async (fixed: boolean): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!fixed) port = await probeFreePort();
      if (await launch()) return;
    }
    throw new Error(`mosquitto could not listen: ${log}`);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };
  await start(false);
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  return {
    get port() {
      return port;
    },
    get url() {
      return `${scheme}://127.0.0.1:${port}`;
    },
    log: () => log,
    stop,
    start: () => start(true),
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    kill() {
      child?.kill('SIGKILL');
    },
  };
}
