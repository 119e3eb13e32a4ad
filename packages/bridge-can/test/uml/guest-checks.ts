// Runs inside User-Mode Linux (see test/helpers/uml.mjs), bundled by socketcan-uml.test.ts:
// reads vcan0/vcan1 through the package's SocketCAN reader while can-utils send, and writes
// what it saw to result.json in the work dir given as the only argument. Every check is
// synchronised on frames it waits for (a sentinel frame marks the end of a burst, since a
// socket delivers in order); the deadlines are safety nets that record a failure.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CanFrame } from '../../src/frames/can-frame.js';
import { openSocketCan, type CanIdFilter, type SocketCanReader } from '../../src/frames/socketcan-reader.js';

const work = process.argv[2]!;
const result: Record<string, unknown> = { errors: [] as string[] };
const SENTINEL = 0x7ee;

interface Seen {
  id: number;
  extended: boolean;
  fd: boolean;
  rtr: boolean;
  error: boolean;
  data: string;
  timestampMs: number;
  timestampSource: string;
  receivedAtMs: number;
}

/** Frames of one reader, and promises that resolve when they satisfy a condition. */
class Collector {
  frames: Seen[] = [];
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  onFrame = (f: CanFrame): void => {
    this.frames.push({
      id: f.id,
      extended: f.extended,
      fd: f.fd,
      rtr: f.rtr === true,
      error: f.error === true,
      data: Buffer.from(f.data).toString('hex').toUpperCase(),
      timestampMs: f.timestampMs,
      timestampSource: f.timestampSource,
      receivedAtMs: Date.now(),
    });
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves true when `test` holds, false after `ms` (then the caller records a failure). */
  until(test: () => boolean, ms = 20_000): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push({ test, resolve: done });
    });
  }

  count(id: number): number {
    return this.frames.filter((f) => f.id === id && !f.extended).length;
  }
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(0) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim()}`))));
  });
}

/** Sends sentinel frames until one arrives: every frame sent before it has then been delivered (or dropped). */
async function flush(c: Collector, iface = 'vcan0'): Promise<void> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const before = c.count(SENTINEL);
    await run('cansend', [iface, `${SENTINEL.toString(16).toUpperCase()}#${attempt.toString(16).padStart(2, '0')}`]);
    if (await c.until(() => c.count(SENTINEL) > before, 3_000)) return;
  }
  throw new Error('no sentinel frame came back after 10 tries');
}

async function open(c: Collector, options: { iface?: string; filters?: CanIdFilter[]; warnings?: string[] } = {}): Promise<SocketCanReader> {
  return openSocketCan({
    interface: options.iface ?? 'vcan0',
    filters: options.filters ?? [],
    onFrame: c.onFrame,
    onWarning: (w) => options.warnings?.push(w),
  });
}

async function check(name: string, body: () => Promise<unknown>): Promise<void> {
  try {
    result[name] = await body();
  } catch (err) {
    (result.errors as string[]).push(`${name}: ${(err as Error).stack ?? String(err)}`);
  }
}

/** A burst from cangen (fixed id, 8 bytes, counting payload): with the reader blocked, or reading along. */
async function burst(c: Collector, id: number, count: number, blocked: boolean): Promise<{ sent: number; received: number; stampedAtRead: number }> {
  const args = ['vcan0', '-g', '0', '-n', String(count), '-I', id.toString(16), '-L', '8', '-D', 'i', '-p', '10'];
  // execFileSync keeps node's event loop from running: nothing is read until cangen is done,
  // so the socket's receive buffer alone decides how much of the burst survives.
  if (blocked) execFileSync('cangen', args);
  else await run('cangen', args);
  await flush(c);
  // A second sentinel arrives on its own, in a native callback of its own: the reader has then
  // seen its queue empty, whatever the first sentinel shared its callback with.
  await flush(c);
  const stampedAtRead = c.frames.filter((f) => f.id === id && f.timestampSource === 'read').length;
  return { sent: count, received: c.count(id), stampedAtRead };
}

await check('lowBuffer', async () => {
  const warnings: string[] = [];
  const c = new Collector();
  const reader = await open(c, { warnings });
  const blockedBurst = await burst(c, 0x551, 1000, true);
  const freeBurst = await burst(c, 0x552, 5000, false);
  await reader.close();
  return { warnings, report: reader.receiveBuffer, blockedBurst, freeBurst };
});

await check('basic', async () => {
  const c = new Collector();
  const reader = await open(c);
  // Sent before the reader's first read: the kernel stamps none of these (see the README).
  execFileSync('cansend', ['vcan0', '123#DEADBEEF']);
  execFileSync('cansend', ['vcan0', '12345678#0102']);
  execFileSync('cansend', ['vcan0', '456#R']);
  if (!(await c.until(() => c.frames.length >= 3))) throw new Error(`only ${c.frames.length} of 3 frames arrived`);
  // Give the event loop a turn, then send one more and keep node busy for 300 ms before it
  // may read: a kernel stamp shows the frame's arrival, 300 ms before it was read.
  await new Promise((r) => setImmediate(r));
  execFileSync('cansend', ['vcan0', '124#01']);
  execFileSync('sleep', ['0.3']);
  if (!(await c.until(() => c.frames.length >= 4))) throw new Error('the fourth frame did not arrive');
  const stats = reader.stats();
  await reader.close();
  return { frames: c.frames, stats };
});

await check('fd', async () => {
  const c = new Collector();
  const reader = await open(c);
  await run('cansend', ['vcan0', `321##1${'A5'.repeat(64)}`]);
  await run('cansend', ['vcan0', `1ABCDEF0##0${'0123456789AB'.repeat(2)}`]);
  await run('cansend', ['vcan0', '322##0112233']);
  if (!(await c.until(() => c.frames.length >= 3))) throw new Error(`only ${c.frames.length} of 3 FD frames arrived`);
  await reader.close();
  return c.frames;
});

await check('filters', async () => {
  const c = new Collector();
  const reader = await open(c, {
    filters: [
      { id: 0x123 },
      { id: 0x200, mask: 0x700 },
      { id: 0x18fec1ee, extended: true },
    ],
  });
  for (const frame of ['124#00', '123#01', '0EE#02', '2AB#03', '18FEC1EF#04', '123#05', '18FEC1EE#06']) await run('cansend', ['vcan0', frame]);
  // The last frame passes the filter; frames are delivered in order, so once it is here every
  // earlier frame that passed is here too.
  if (!(await c.until(() => c.frames.some((f) => f.extended && f.id === 0x18fec1ee)))) throw new Error('the last filtered frame did not arrive');
  await reader.close();
  return c.frames.map((f) => `${f.extended ? 'ext' : 'std'} ${f.id.toString(16)} ${f.data}`);
});

await check('raisedBuffer', async () => {
  execFileSync('sysctl', ['-w', 'net.core.rmem_default=33554432', 'net.core.rmem_max=33554432']);
  const warnings: string[] = [];
  const c = new Collector();
  const reader = await open(c, { warnings });
  const blockedBurst = await burst(c, 0x561, 20_000, true);
  const freeBurst = await burst(c, 0x562, 20_000, false);
  await reader.close();
  return { warnings, report: reader.receiveBuffer, blockedBurst, freeBurst };
});

await check('canplayer', async () => {
  const c = new Collector();
  const reader = await open(c);
  // The drive log the test wrote (interface can0 in the log, played onto vcan0), at its pace.
  await run('canplayer', ['-I', join(work, 'drive.log'), 'vcan0=can0']);
  await flush(c);
  await reader.close();
  return c.frames.filter((f) => f.id !== SENTINEL).map((f) => ({ id: f.id, extended: f.extended, data: f.data }));
});

await check('stopped', async () => {
  const c = new Collector();
  let announce: (value: { code: string; message: string }) => void = () => undefined;
  const stopped = new Promise<{ code: string; message: string }>((resolve) => (announce = resolve));
  const reader = await openSocketCan({ interface: 'vcan1', onFrame: c.onFrame, onStopped: (err) => announce({ code: err.code, message: err.message }) });
  await run('cansend', ['vcan1', '100#01']);
  if (!(await c.until(() => c.frames.length === 1))) throw new Error('no frame on vcan1');
  execFileSync('ip', ['link', 'delete', 'vcan1']);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([stopped, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('onStopped was not called within 10 s'), 10_000)))]);
  clearTimeout(timer);
  await reader.close();
  return outcome;
});

await check('missing', async () => {
  try {
    await openSocketCan({ interface: 'vcan9', onFrame: () => undefined, receiveBuffer: false });
    return 'opened';
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
});

writeFileSync(join(work, 'result.json'), JSON.stringify(result, null, 1));
process.exit(0);
