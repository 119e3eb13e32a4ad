import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createSink, createSqliteSpool, type Batch, type Sink } from '../src/index.js';
import { batch, ids } from '../src/testing/_spool-kit.js';
import { captureLogger, KEY, metric, startGateway } from './helpers/ws-sink.js';
import { until as waitFor } from '../src/testing/until.js';

const T0 = 1_700_000_000_000;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Overwrites everything past the first page of the spool file and its WAL with garbage. */
function corrupt(dir: string): void {
  for (const file of ['spool.sqlite', 'spool.sqlite-wal'].map((f) => join(dir, f))) {
    const fd = openSync(file, 'r+');
    const junk = Buffer.alloc(1 << 20, 0x5a);
    for (let off = 8192; off < statSync(file).size; off += junk.length) writeSync(fd, junk, 0, junk.length, off);
    closeSync(fd);
  }
}

describe('the spool failing while running (issue 10)', () => {
  it('#3: a spool that turns corrupt is retried, then moved aside and started anew; delivery resumes, unready meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-corrupt-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const gateway = await startGateway();
    cleanups.push(() => gateway.close());
    gateway.setFaults({ drop: true });
    const registry = new Registry();
    const { logger, lines } = captureLogger();
    const sink: Sink = createSink({ url: gateway.url, apiKey: KEY, sourceId: 'corrupt', logger, registry, buffer: { path: dir }, batch: { maxPoints: 200, lingerMs: 5 }, retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100 });
    cleanups.push(() => sink.close());
    // Random text does not compress: 24 MB of it outgrows SQLite's page cache (16 MB in
    // better-sqlite3), so reads after the damage hit the file.
    const total = 12_000;
    for (let i = 0; i < total; i++) sink.send('before', randomBytes(1536).toString('base64'), { timestamp: T0 + i, class: 'event' });
    await waitFor(() => sink.status().spool.points === total, 'everything spooled');
    corrupt(dir);
    gateway.setFaults(undefined);
    await waitFor(() => sink.status().stalled, 'the sink reports it cannot deliver');
    await waitFor(() => readdirSync(dir).some((f) => f.includes('.unusable-')), 'the spool file moved aside');
    for (let i = 0; i < 100; i++) sink.send('after', i, { timestamp: T0 + i });
    await sink.flush({ timeoutMs: 10_000 });
    expect(sink.status().stalled).toBe(false);
    expect(gateway.points({ metric: 'after' })).toHaveLength(100);
    expect(await metric(registry, 'fieldbridge_points_dropped_total', { reason: 'spool_failed' })).toBeGreaterThan(0);
    expect(lines().some((l) => /will not be sent/.test(l.msg))).toBe(true);
  });

  it('#9: on a full disk acknowledgements win over new data, nothing is counted twice, and it says so', { timeout: 60_000 }, async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    // Something else (logs, say) takes most of the disk; the operator deletes it later.
    const disk = await fullDisk([2 * 1024 * 1024]);
    disk.gateway.setFaults(undefined);
    // The receiver stores batches. An acknowledgement is one small DELETE, which SQLite may still
    // fit into the WAL on the full disk, or may not (then the batch stays and is sent again): the
    // appends stay refused meanwhile, and nothing below may be lost or counted twice either way.
    await waitFor(() => disk.gateway.points({ metric: 'm' }).length > 0, 'a delivered batch');
    unlinkSync(disk.fillers[0]!);
    // Up to 400,000 points go to a gateway in this process: well under a second here, seconds on a
    // machine busy with other suites.
    await disk.sink.flush({ timeoutMs: 15_000 });
    await expectDeliveredOnce(disk);
  });

  it('#9: a full disk does not hold delivery up; the acknowledgements are written once it has room', { timeout: 60_000 }, async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    // Every commit appends pages to the WAL, a delete's too: on this disk no acknowledgement fits.
    // The room freed later is larger than the WAL grows by then (what was held back in memory is
    // stored and delivered, its acknowledgements written), so the disk does not fill again.
    const disk = await fullDisk([5 * 1024 * 1024], '6m');
    disk.gateway.setFaults(undefined);
    // What the spool held is delivered; the batches held back in memory wait for room.
    await waitFor(() => disk.sink.status().spool.points === 0, 'the backlog delivered');
    expect(disk.gateway.points({ metric: 'm' }).length).toBeGreaterThan(1000);
    expect(disk.sink.status().stalled).toBe(false);
    expect(disk.lines().some((l) => /disk has room again/.test(l.msg))).toBe(false);
    unlinkSync(disk.fillers[0]!);
    for (let i = 0; i < 100; i++) disk.sink.send('after', i, { timestamp: T0 + i });
    await disk.sink.flush({ timeoutMs: 15_000 });
    expect(disk.gateway.points({ metric: 'after' })).toHaveLength(100);
    await expectDeliveredOnce(disk, 100);
    expect(disk.lines().some((l) => /disk has room again/.test(l.msg))).toBe(true);
    await disk.sink.close();
    // Nothing delivered is left in the file to be sent again.
    const reopened = createSqliteSpool({ dir: disk.spoolDir, limits: { maxBytes: 1 << 20, whenFull: 'drop_oldest' } });
    expect(reopened.stats().batches).toBe(0);
    reopened.close();
  });

  it('#9: the disk spool keeps acknowledgements a full disk has no room for in memory, leases around them, and writes them once it has', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const dir = tmpfs('1m');
    const spoolDir = join(dir, 'spool');
    mkdirSync(spoolDir);
    // Logs, say, that the operator deletes later.
    const logs = join(dir, 'logs');
    writeFileSync(logs, Buffer.alloc(256 * 1024));
    const limits = { maxBytes: 1 << 30, whenFull: 'drop_oldest' } as const;
    const spool = createSqliteSpool({ dir: spoolDir, limits, logger: captureLogger().logger });
    cleanups.push(() => spool.close());
    // Random bytes do not compress: the file and its WAL fill the disk within a few hundred batches.
    const made: Batch[] = [];
    for (let n = 0; ; n++) {
      const b: Batch = { ...batch(n), data: randomBytes(4096) };
      try {
        spool.append(b);
      } catch (err) {
        expect(err).toMatchObject({ code: 'SPOOL_FULL' });
        break;
      }
      made.push(b);
    }
    // What room is left goes to another file: no acknowledgement fits in the WAL any more.
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (const size of [65536, 4096, 512, 1]) for (;;) writeSync(fd, Buffer.alloc(size));
    } catch {
      // ENOSPC, as wanted; the loop goes on to smaller writes until the last byte is taken.
    }
    closeSync(fd);
    const held = spool.stats().batches;
    expect(ids(spool.lease(3))).toEqual(['b0', 'b1', 'b2']);
    spool.ack('b1');
    spool.ack('b0');
    expect(spool.unwrittenAcks?.()).toBe(2);
    expect(spool.stats().batches).toBe(held - 2);
    expect(ids(spool.lease(2))).toEqual(['b3', 'b4']);
    spool.release('b2');
    expect(ids(spool.lease(1))).toEqual(['b2']);
    expect(spool.stats().oldestCreatedAtMs).toBe(made[2]!.createdAtMs);
    spool.ack('b3');
    // Room again: the next write writes the acknowledgements first.
    unlinkSync(filler);
    unlinkSync(logs);
    spool.append({ ...batch(100_000), data: randomBytes(64) });
    expect(spool.unwrittenAcks?.()).toBe(0);
    spool.close();
    const reopened = createSqliteSpool({ dir: spoolDir, limits });
    cleanups.push(() => reopened.close());
    const left = ids(reopened.lease(held + 1));
    expect(left.slice(0, 3)).toEqual(['b2', 'b4', 'b5']);
    expect(left).toHaveLength(held - 3 + 1);
  });
});

/** A tmpfs of `size` mounted for the test (root only). */
function tmpfs(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-full-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir]);
  });
  return dir;
}

interface FullDisk {
  sink: Sink;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  registry: Registry;
  /** The files that take the rest of the disk, as asked. */
  fillers: string[];
  /** Points written. */
  written: number;
  spoolDir: string;
  lines: ReturnType<typeof captureLogger>['lines'];
}

/**
 * A 3 MiB tmpfs (root only) whose room `fillers` (sizes in bytes) take, a disk spool on it, and a
 * sink written to while its receiver is down until the spool says the disk is full.
 */
async function fullDisk(fillers: number[], size = '3m'): Promise<FullDisk> {
  const dir = tmpfs(size);
  const spoolDir = join(dir, 'spool');
  mkdirSync(spoolDir);
  const paths = fillers.map((size, i) => {
    const path = join(dir, `filler-${i}`);
    writeFileSync(path, Buffer.alloc(size));
    return path;
  });
  const gateway = await startGateway();
  cleanups.push(() => gateway.close());
  gateway.setFaults({ drop: true });
  const registry = new Registry();
  const { logger, lines } = captureLogger();
  const sink: Sink = createSink({ url: gateway.url, apiKey: KEY, sourceId: 'full', logger, registry, buffer: { path: spoolDir }, batch: { maxPoints: 100, lingerMs: 5 }, retry: { initialDelayMs: 5, maxDelayMs: 50, jitter: 0 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100 });
  cleanups.push(() => sink.close());
  let written = 0;
  const full = () => lines().some((l) => /disk under the spool is full/.test(l.msg));
  while (!full() && written < 400_000) {
    for (let i = 0; i < 1000; i++) sink.send('m', written++, { timestamp: T0 + written });
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(full()).toBe(true);
  return { sink, gateway, registry, fillers: paths, written, spoolDir, lines };
}

/**
 * Everything written to `m` was delivered or counted as dropped by the failing spool, and counted
 * sent once; `others` points of other metrics were sent too.
 */
async function expectDeliveredOnce({ sink, gateway, registry, written }: FullDisk, others = 0): Promise<void> {
  const stored = gateway.points({ metric: 'm' }).map((p) => p.value as number);
  const distinct = new Set(stored).size;
  // points_sent_total counts each acknowledged point once, however often it was resent.
  expect(await metric(registry, 'fieldbridge_points_sent_total')).toBe(distinct + others);
  expect(stored.length - distinct).toBeLessThan(distinct / 5);
  const dropped = await metric(registry, 'fieldbridge_points_dropped_total', { reason: 'spool_failed' });
  expect(distinct + dropped).toBeGreaterThanOrEqual(written - 200);
  expect(sink.status().spool.points).toBe(0);
}
