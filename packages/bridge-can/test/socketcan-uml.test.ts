import { mkdir, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Point } from '@fieldbridge/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canConfigSchema,
  createCanDecoder,
  decodeFrame,
  driveLogLines,
  loadDbcFilesSync,
  parseCandumpLine,
  planCan,
  resolveCanConfig,
  simulateDrive,
  vehicleDatabase,
} from '../src/index.js';
import { GUEST_NODE_FLAGS, runInUml } from './helpers/uml.mjs';

/**
 * Real SocketCAN, inside User-Mode Linux: one boot runs test/uml/guest-checks.ts, which reads
 * vcan0/vcan1 through the package's reader while can-utils (cansend, cangen, canplayer) send,
 * then test/uml/bridge-checks.ts, the whole bridge (the bridge-can command and the source on
 * the kit's context) on the same buses. Each reports back in a JSON file; the checks below read
 * those reports.
 */
interface Seen {
  id: number;
  extended: boolean;
  fd: boolean;
  rtr: boolean;
  data: string;
  timestampMs: number;
  timestampSource: string;
  receivedAtMs: number;
}
interface Burst {
  sent: number;
  received: number;
  stampedAtRead: number;
}
interface BufferCheck {
  warnings: string[];
  report: { rmemDefault: number; framesHeld: number; enough: boolean };
  blockedBurst: Burst;
  freeBurst: Burst;
}
interface Report {
  errors: string[];
  lowBuffer: BufferCheck;
  basic: { frames: Seen[]; stats: { frames: number; stampedAtRead: number } };
  fd: Seen[];
  filters: string[];
  raisedBuffer: BufferCheck;
  canplayer: { id: number; extended: boolean; data: string }[];
  stopped: { code: string; message: string } | string;
  missing: { code: string; message: string } | string;
}

interface BridgeReport {
  errors: string[];
  dryRun: { code: number; points: Point[]; playedFrom: number; seenBy: number; unknownLogged: number };
  live: { burst: { sent: number; received: number; decoded: number }; states: string[]; problems: string[]; stopped: string; sentinels: number };
  reload: { before: number[]; after: number[]; heldStampedBeforeRestart: boolean; thirdRead: boolean };
  once: { code: number; points: [string, number][] };
  scan: { code: number; out: string[] };
  scanGone: Record<'gone' | 'down', { code: number; out: string[]; log: string[] }>;
}

const cacheDir = new URL('../node_modules/.cache/bridge-can-uml/', import.meta.url);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const DRIVE_MS = 1_000;
let report: Report;
let bridgeReport: BridgeReport;

describe('SocketCAN inside User-Mode Linux', () => {
  beforeAll(async () => {
    // The guest runs plain JavaScript: bundle the checks (and the reader's source) for it. The
    // bundle sits inside node_modules so that its `import('socketcan')` finds the package.
    await mkdir(cacheDir, { recursive: true });
    const bundle = new URL(`guest-${randomUUID()}.mjs`, cacheDir).pathname;
    const bridgeBundle = new URL(`bridge-${randomUUID()}.mjs`, cacheDir).pathname;
    try {
      await build({ entryPoints: [new URL('./uml/guest-checks.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
      // The whole bridge with the core, from their sources; the native addons stay outside (and
      // socketcan is found in this package's node_modules, where the bundle lies).
      await build({
        entryPoints: [new URL('./uml/bridge-checks.ts', import.meta.url).pathname],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['source'],
        external: ['socketcan', 'better-sqlite3'],
        banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        outfile: bridgeBundle,
        logLevel: 'error',
      });
      const drive = `${[...driveLogLines({ durationMs: DRIVE_MS })].join('\n')}\n`;
      const node = `node ${GUEST_NODE_FLAGS.join(' ')}`;
      const script = `${node} ${bundle} "$W"; a=$?\n${node} ${bridgeBundle} "$W" ${packageDir}; b=$?\nexit $((a | b))\n`;
      const run = await runInUml({ script, files: { 'drive.log': drive }, collect: ['result.json', 'bridge-result.json'], timeoutMs: 280_000 });
      if (run.code !== 0 || run.files['result.json'] === '' || run.files['bridge-result.json'] === '') throw new Error(`the guest checks failed (exit ${run.code}):\n${run.output.slice(-4000)}`);
      report = JSON.parse(run.files['result.json']!) as Report;
      bridgeReport = JSON.parse(run.files['bridge-result.json']!) as BridgeReport;
    } finally {
      await rm(bundle, { force: true });
      await rm(bridgeBundle, { force: true });
    }
    const b = (x: Burst): string => `${x.received} of ${x.sent}`;
    console.info(
      `UML bursts: default buffer (${report.lowBuffer.report.rmemDefault} bytes): reader blocked ${b(report.lowBuffer.blockedBurst)}, reading along ${b(report.lowBuffer.freeBurst)}; ` +
        `raised (${report.raisedBuffer.report.rmemDefault} bytes): blocked ${b(report.raisedBuffer.blockedBurst)}, reading along ${b(report.raisedBuffer.freeBurst)}`,
    );
    const burst = bridgeReport.live?.burst;
    if (burst) console.info(`UML burst through the bridge (32 MiB receive buffer): ${burst.received} of ${burst.sent} frames arrived and decoded`);
  }, 300_000);

  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('ran every check without an error', () => {
    expect(report.errors).toEqual([]);
  });

  it('receives cansend frames: standard, extended and remote, with ids and data intact', () => {
    expect(report.basic.frames.map((f) => [f.id, f.extended, f.rtr, f.data])).toEqual([
      [0x123, false, false, 'DEADBEEF'],
      [0x12345678, true, false, '0102'],
      [0x456, false, true, ''],
      [0x124, false, false, '01'],
    ]);
  });

  it('marks the frames queued before the first read as read-time stamped, and stamps later ones in the kernel', () => {
    const [first, second, third, later] = report.basic.frames;
    expect([first, second, third].map((f) => f!.timestampSource)).toEqual(['read', 'read', 'read']);
    expect(report.basic.stats).toEqual({ frames: 4, stampedAtRead: 3 });
    expect(later!.timestampSource).toBe('kernel');
    // The guest kept node busy for 300 ms after the frame arrived: a kernel stamp shows it.
    expect(later!.receivedAtMs - later!.timestampMs).toBeGreaterThanOrEqual(250);
  });

  it('receives CAN FD frames up to 64 bytes, standard and extended (FD frames of 8 bytes or less look classic: the package has no FD flag)', () => {
    expect(report.fd.map((f) => [f.id, f.extended, f.fd, f.data.length / 2])).toEqual([
      [0x321, false, true, 64],
      [0x1abcdef0, true, true, 12],
      [0x322, false, false, 3],
    ]);
    expect(report.fd[0]!.data).toBe('A5'.repeat(64));
  });

  it('applies id filters in the kernel: exact standard, masked range, exact extended', () => {
    expect(report.filters).toEqual(['std 123 01', 'std 2ab 03', 'std 123 05', 'ext 18fec1ee 06']);
  });

  it('says once, with the sysctl, that the default receive buffer is too small, and a blocked burst shows why', () => {
    const low = report.lowBuffer;
    expect(low.warnings).toHaveLength(1);
    expect(low.warnings[0]).toContain('holds about 277 frames (net.core.rmem_default = 212992 bytes)');
    expect(low.warnings[0]).toContain('sysctl -w net.core.rmem_default=8388608 net.core.rmem_max=8388608');
    // With the reader blocked the socket keeps what its buffer holds and the kernel drops the rest.
    expect(low.blockedBurst.received).toBeGreaterThan(low.report.framesHeld * 0.95);
    expect(low.blockedBurst.received).toBeLessThan(low.report.framesHeld * 1.05);
    expect(low.freeBurst.received).toBeLessThanOrEqual(low.freeBurst.sent);
  });

  it('marks a whole first batch as read-time stamped, though the native callback delivers it in pieces of 101', () => {
    // Each blocked burst is the first thing its reader reads: all of it waited in the queue.
    expect(report.lowBuffer.blockedBurst.stampedAtRead).toBe(report.lowBuffer.blockedBurst.received);
    expect(report.raisedBuffer.blockedBurst.stampedAtRead).toBe(20_000);
    expect(report.raisedBuffer.freeBurst.stampedAtRead).toBe(0);
  });

  it('with net.core.rmem_default raised to 32 MiB, says nothing and loses nothing of 20,000-frame bursts', () => {
    const raised = report.raisedBuffer;
    expect(raised.warnings).toEqual([]);
    expect(raised.report).toMatchObject({ rmemDefault: 33554432, enough: true });
    expect(raised.blockedBurst).toMatchObject({ sent: 20_000, received: 20_000 });
    expect(raised.freeBurst).toMatchObject({ sent: 20_000, received: 20_000 });
  });

  it('receives a drive replayed by canplayer, frame for frame, and the frames decode to the simulated values', () => {
    const simulated = [...simulateDrive({ durationMs: DRIVE_MS })];
    expect(report.canplayer).toEqual(simulated.map(({ frame }) => ({ id: frame.id, extended: frame.extended, data: Buffer.from(frame.data).toString('hex').toUpperCase() })));
    const decoder = createCanDecoder(vehicleDatabase());
    report.canplayer.forEach((f, i) => {
      const decoded = decoder.decode({ id: f.id, extended: f.extended, data: Buffer.from(f.data, 'hex') })!;
      const expected = decoder.decode(simulated[i]!.frame)!;
      expect(decoded.signals.map((s) => [s.name, s.value, s.text])).toEqual(expected.signals.map((s) => [s.name, s.value, s.text]));
    });
  });

  it('reports an interface that goes away, and one that does not exist', () => {
    expect(report.stopped).toMatchObject({ code: 'INTERFACE_STOPPED', message: expect.stringContaining('vcan1 went down or away') });
    expect(report.missing).toMatchObject({ code: 'INTERFACE_NOT_FOUND', message: expect.stringContaining('ip link add vcan9 type vcan') });
  });
});

/** The points the bridge gives for the lines of a log, through the plan `--dry-run` used. */
function pointsOfLog(lines: string[], dbc: string[]): { metric: string; value: unknown }[] {
  const resolved = resolveCanConfig(canConfigSchema.parse({ interface: 'socketcan:vcan0', dbc }));
  if (!resolved.ok) throw new Error('invalid section');
  const loaded = loadDbcFilesSync(dbc);
  const { plan } = planCan(loaded.database, resolved.config, loaded.problems);
  return lines.flatMap((line) => {
    const parsed = parseCandumpLine(line);
    return parsed?.ok ? decodeFrame(plan, parsed.frame, 0).points.map((p) => ({ metric: p.metric, value: p.value })) : [];
  });
}

describe('the whole bridge on SocketCAN inside User-Mode Linux', () => {
  const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
  const tagsOf = (metric: string) => bridgeReport.dryRun.points.filter((p) => p.metric === metric).map((p) => [p.value, p.tags]);

  it('ran every check without an error', () => {
    expect(bridgeReport.errors).toEqual([]);
  });

  it('bridge-can --dry-run decodes cansend frames into the points worked out by hand: J1939 from two senders, CAN FD, extended ids', () => {
    // Values from test/fixtures/decode/{j1939,can-fd-extended}/how.md.
    expect(tagsOf('EEC1.EngineSpeed')).toEqual([
      [1000, { unit: 'rpm', source_address: '0', spn: '190' }],
      [1200, { unit: 'rpm', source_address: '1', spn: '190' }],
    ]);
    const value = (metric: string) => bridgeReport.dryRun.points.filter((p) => p.metric === metric).map((p) => p.value);
    expect(['FdMsg.First', 'FdMsg.Far', 'FdMsg.FarBE', 'FdExt.Last', 'ExtMsg.V', 'StdMsg.W', 'MaxExt.Q'].map(value)).toEqual([[17], [4660], [43981], [254], [5], [10], [4660]]);
    expect(bridgeReport.dryRun.points.every((p) => p.source_id === 'uml' && typeof p.timestamp === 'number')).toBe(true);
    // The unknown id is counted and said once.
    expect(bridgeReport.dryRun.unknownLogged).toBe(1);
    expect(bridgeReport.dryRun.code).toBe(0);
  });

  it('bridge-can --dry-run gives for a drive played by canplayer what it gives for the same log replayed from the file', () => {
    const dbc = [at('./fixtures/decode/j1939/case.dbc'), at('./fixtures/decode/can-fd-extended/case.dbc'), at('../dbc/vehicle.dbc')];
    const expected = pointsOfLog([...driveLogLines({ durationMs: DRIVE_MS })], dbc);
    const vehicle = new Set(expected.map((p) => p.metric));
    const played = bridgeReport.dryRun.points.filter((p) => vehicle.has(p.metric));
    expect(played.map((p) => ({ metric: p.metric, value: p.value }))).toEqual(expected);
    // Kernel stamps placed on the sink's clock: not before the playing began, never after their
    // arrival (so not after the points were seen), in order for each signal.
    const { playedFrom, seenBy } = bridgeReport.dryRun;
    expect(played.every((p) => p.timestamp! >= playedFrom - 5 && p.timestamp! <= seenBy)).toBe(true);
    const rpm = played.filter((p) => p.metric === 'EngineData.EngineSpeed').map((p) => p.timestamp!);
    expect(rpm).toEqual([...rpm].sort((a, b) => a - b));
  });

  it('a burst of 20,000 frames at full speed reaches the bridge whole with a 32 MiB receive buffer', () => {
    expect(bridgeReport.live.burst).toEqual({ sent: 20_000, received: 20_000, decoded: 20_002 });
  });

  it('reports an interface set down or deleted, and reads again once it is back; stop() is prompt', () => {
    expect(bridgeReport.live.states).toEqual(['down: disconnected, ready false', 'up: connected', 'deleted: disconnected', 'added again: connected']);
    expect(bridgeReport.live.sentinels).toBe(4);
    expect(bridgeReport.live.problems).toEqual(['report can.vcan1.interface', 'resolve can.vcan1.interface', 'report can.vcan1.interface', 'resolve can.vcan1.interface']);
    expect(bridgeReport.live.stopped).toBe('stopped');
  });

  it('a SIGHUP reload keeps the socket open: frames sent between the stop and the next start are read by that start, once, with their kernel stamps', () => {
    const { reload } = bridgeReport;
    expect(reload.before).toEqual([1, 2, 3]);
    expect(reload.after).toEqual([4, 5, 6, 7, 8, 9]);
    expect(reload.heldStampedBeforeRestart).toBe(true);
  });

  it('a kept socket whose interface went away while nobody read is not taken up: the next start reads from a new one', () => {
    expect(bridgeReport.reload.thirdRead).toBe(true);
  });

  it('--scan listens to the live bus and lists each id with the DBC message it is', () => {
    expect(bridgeReport.scan.code).toBe(0);
    const rows = bridgeReport.scan.out.filter((l) => /^0x/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[3], r[4], r[5]])).toEqual([
      ['0x123', '1', '2', '(no DBC entry)', 'unknown'],
      ['0x7EE', '3', '1', 'Sentinel', 'read'],
      ['0x1ABCDEF0', '1', '1', '(no DBC entry)', 'unknown'],
    ]);
    expect(bridgeReport.scan.out[0]).toBe('5 frames from 20s on vcan0');
  });

  it('--scan of an interface that goes away prints what it heard until then, says why it ended, and exits 1', () => {
    const { gone } = bridgeReport.scanGone;
    expect(gone.code).toBe(1);
    expect(gone.out[0]).toMatch(/^2 frames from \S+ on vcan1, until it went away$/);
    const rows = gone.out.filter((l) => /^0x/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[4], r[5]])).toEqual([['0x7EE', '2', 'Sentinel', 'read']]);
    expect(gone.log).toEqual(['bridge-can --scan: CAN interface vcan1 went down or away; reading stopped (bring it up with ip link set vcan1 up)']);
  });

  it('--scan of an interface that is down says so at the start, and fails at the end if it still is', () => {
    const { down } = bridgeReport.scanGone;
    expect(down.code).toBe(1);
    expect(down.out.slice(0, 3)).toEqual(['0 frames from 1s on vcan1', '', 'no frames.']);
    const message = "vcan1 is down: nothing can be heard until it is up (ip link set vcan1 up type can bitrate 500000, at the bus's bitrate)";
    expect(down.log).toHaveLength(2);
    expect(down.log[0]).toContain(message);
    expect(down.log[1]).toBe(`bridge-can --scan: ${message}`);
  });

  it('--once waits for the bus, delivers its first points and exits 0', () => {
    expect(bridgeReport.once.code).toBe(0);
    expect(bridgeReport.once.points.length).toBeGreaterThan(0);
    expect(bridgeReport.once.points[0]).toEqual(['Sentinel.Seq', 42]);
  });
});
