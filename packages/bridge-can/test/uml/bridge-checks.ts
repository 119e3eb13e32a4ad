// Runs inside User-Mode Linux after guest-checks.ts (see socketcan-uml.test.ts), bundled with the
// bridge and the core from their sources: the whole bridge on real SocketCAN. `node bridge.mjs
// cli ARGS...` is the bridge-can command; `node bridge.mjs WORKDIR PACKAGEDIR` runs the checks and
// writes bridge-result.json. Every wait is for an event (a log line, a point, a state); the
// deadlines are safety nets that record a failure.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Point } from '@fieldbridge/core';
import { releaseKept } from '../../../core/src/runtime/kept-open.js';
import { createTestContext } from '../../../core/src/testing/bridge-context.js';
import { canBridge } from '../../src/bridge.js';
import { main } from '../../src/cli.js';
import { canConfigSchema } from '../../src/config.js';

const SENTINEL_DBC = `VERSION ""\n\nNS_ :\n\nBS_:\n\nBU_: T\n\nBO_ 2030 Sentinel: 1 T\n SG_ Seq : 0|8@1+ (1,0) [0|255] "" T\n\nBO_ 2016 Burst: 8 T\n SG_ Counter : 0|32@1+ (1,0) [0|4294967295] "" T\n`;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim()}`))));
  });
}

/** Resolves when `test` holds, checked on every `changed` call; rejects after `ms` (a safety net). */
function waiter() {
  const waiting: { test: () => boolean; resolve: () => void }[] = [];
  return {
    changed() {
      for (const w of waiting.splice(0)) (w.test() ? w.resolve : () => waiting.push(w))();
    },
    until(test: () => boolean, what: string, ms = 30_000): Promise<void> {
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
        waiting.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** The bridge-can command as a child process; its stdout lines (NDJSON points) and stderr log lines. */
function command(bundle: string, args: string[]) {
  const child = spawn(process.execPath, [...process.execArgv, bundle, 'cli', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = waiter();
  const out: string[] = [];
  const log: string[] = [];
  let code: number | null | undefined;
  const lines = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      into.push(...parts);
      w.changed();
    };
  };
  child.stdout.on('data', lines(out));
  child.stderr.on('data', lines(log));
  child.once('exit', (c) => {
    code = c;
    w.changed();
  });
  return {
    out,
    log,
    exited: () => code !== undefined,
    code: () => code,
    until: w.until,
    points: () => out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Point),
    kill: () => child.kill('SIGTERM'),
  };
}

async function checks(work: string, packageDir: string): Promise<void> {
  const result: Record<string, unknown> = { errors: [] as string[] };
  const bundle = process.argv[1]!;
  writeFileSync(join(work, 'sentinel.dbc'), SENTINEL_DBC);
  const dbc = [
    join(packageDir, 'test/fixtures/decode/j1939/case.dbc'),
    join(packageDir, 'test/fixtures/decode/can-fd-extended/case.dbc'),
    join(packageDir, 'dbc/vehicle.dbc'),
    join(work, 'sentinel.dbc'),
  ];
  const check = async (name: string, body: () => Promise<unknown>): Promise<void> => {
    try {
      result[name] = await body();
    } catch (err) {
      (result.errors as string[]).push(`${name}: ${(err as Error).stack ?? String(err)}`);
    }
  };

  // cansend and canplayer into `bridge-can --dry-run`: the points it prints.
  await check('dryRun', async () => {
    const map = join(work, 'dry.yaml');
    writeFileSync(map, `source_id: uml\nsink: { url: stdout }\ncan:\n  interface: socketcan:vcan0\n  dbc: [${dbc.join(', ')}]\n`);
    const bridge = command(bundle, ['--config', map, '--dry-run']);
    await bridge.until(() => bridge.log.some((l) => l.includes('"state":"connected"')), 'the bridge to open vcan0');
    const sent = ['0CF00400#000000401F000000', '18F00401#00000080250000FF', `123##1${'11'}${'00'.repeat(59)}3412ABCD`, `00001100##0${'00'.repeat(11)}FE`, '00000110#0500000000000000', '110#0500000000000000', '1FFFFFFF#3412000000000000', '7FF#DEADBEEF'];
    for (const frame of sent) await run('cansend', ['vcan0', frame]);
    const playedFrom = Date.now();
    await run('canplayer', ['-I', join(work, 'drive.log'), 'vcan0=can0']);
    await run('cansend', ['vcan0', '7EE#01']);
    await bridge.until(() => bridge.points().some((p) => p.metric === 'Sentinel.Seq'), 'the sentinel point');
    // Every played frame had arrived by now, and a kernel stamp is never placed after its arrival.
    const seenBy = Date.now();
    bridge.kill();
    await bridge.until(bridge.exited, 'the bridge to exit after SIGTERM');
    return { code: bridge.code(), points: bridge.points(), playedFrom, seenBy, unknownLogged: bridge.log.filter((l) => l.includes('can.vcan0.unknown_id')).length };
  });

  // The bridge in this process on vcan1: a burst, the interface set down and up, deleted and
  // added again, and a prompt stop.
  await check('live', async () => {
    // guest-checks.ts deleted vcan1 (it tests an interface going away): make it again.
    execFileSync('sh', ['-c', 'ip link show vcan1 >/dev/null 2>&1 || (ip link add dev vcan1 type vcan && ip link set vcan1 mtu 72 && ip link set vcan1 up)']);
    const t = createTestContext({ bridge: 'can' });
    const section = canConfigSchema.parse({ interface: 'socketcan:vcan1', dbc: join(work, 'sentinel.dbc'), reconnect: { initial_ms: 50, max_ms: 200 } });
    const bridge = canBridge.create(section, t.ctx);
    const count = (metric: string) => t.points.filter((p) => p.metric === metric).length;
    const sentinels = async (n: number): Promise<void> => {
      await run('cansend', ['vcan1', `7EE#${n.toString(16).padStart(2, '0')}`]);
      await t.waitFor(() => count('Sentinel.Seq') >= n, `sentinel ${n}`, 30_000);
    };
    await bridge.start();
    await t.waitFor(() => t.ready(), 'vcan1 connected', 30_000);
    await sentinels(1);
    // A burst at full speed (the receive buffer was raised to 32 MiB by the checks before).
    await run('cangen', ['vcan1', '-g', '0', '-n', '20000', '-I', '7E0', '-L', '8', '-D', 'i', '-p', '10']);
    await sentinels(2);
    const burst = { sent: 20_000, received: count('Burst.Counter'), decoded: await t.metric('fieldbridge_can_frames_total', { bus: 'vcan1', outcome: 'decoded' }) };
    const states: string[] = [];
    const state = () => t.channels().vcan1?.state ?? 'none';
    execFileSync('ip', ['link', 'set', 'vcan1', 'down']);
    await t.waitFor(() => state() === 'disconnected', 'vcan1 reported down', 30_000);
    states.push(`down: ${state()}, ready ${t.ready()}`);
    execFileSync('ip', ['link', 'set', 'vcan1', 'up']);
    await t.waitFor(() => state() === 'connected', 'vcan1 up again', 30_000);
    await sentinels(3);
    states.push(`up: ${state()}`);
    execFileSync('ip', ['link', 'delete', 'vcan1']);
    await t.waitFor(() => state() === 'disconnected', 'vcan1 reported gone', 30_000);
    states.push(`deleted: ${state()}`);
    execFileSync('sh', ['-c', 'ip link add dev vcan1 type vcan && ip link set vcan1 mtu 72 && ip link set vcan1 up']);
    await t.waitFor(() => state() === 'connected', 'vcan1 reopened', 30_000);
    await sentinels(4);
    states.push(`added again: ${state()}`);
    const problems = t.problems.map((p) => `${p.kind} ${p.key}`);
    const stopped = await Promise.race([bridge.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 5000, 'hung').unref())]);
    return { burst, states, problems, stopped, sentinels: count('Sentinel.Seq') };
  });

  // SIGHUP reloads, as the command makes them: one start stops, the next starts on the same
  // reloadState. With the same interface the socket stays open: frames sent in between are read
  // by the next start, once, with their kernel stamps. A kept socket whose interface went away
  // while nobody read is not taken up: the start after it reads from a new one.
  await check('reload', async () => {
    const reloadState = new Map<string, unknown>();
    const section = canConfigSchema.parse({ interface: 'socketcan:vcan1', dbc: join(work, 'sentinel.dbc'), reconnect: { initial_ms: 50, max_ms: 200 } });
    const start = async () => {
      const t = createTestContext({ bridge: 'can', reloadState });
      const bridge = canBridge.create(section, t.ctx);
      await bridge.start();
      await t.waitFor(() => t.ready(), 'vcan1 connected', 30_000);
      return { t, bridge, seqs: () => t.points.filter((p) => p.metric === 'Sentinel.Seq') };
    };
    const send = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) await run('cansend', ['vcan1', `7EE#${n.toString(16).padStart(2, '0')}`]);
    };
    const before = await start();
    await send(1, 3);
    await before.t.waitFor(() => before.seqs().length === 3, 'the frames sent before the reload', 30_000);
    await before.bridge.stop();
    await send(4, 6);
    // Not a synchronisation: a second between the held frames and the restart, so their kernel
    // stamps (placed by the delay learnt from frames 1-3, a few ms) and the read time (after
    // the restart) cannot be told apart by chance.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const restartAt = Date.now();
    const after = await start();
    await send(7, 9);
    await after.t.waitFor(() => after.seqs().length >= 6, 'the frames sent during and after the reload', 30_000);
    const held = after.seqs().filter((p) => (p.value as number) <= 6);
    await after.bridge.stop();

    execFileSync('ip', ['link', 'delete', 'vcan1']);
    execFileSync('sh', ['-c', 'ip link add dev vcan1 type vcan && ip link set vcan1 mtu 72 && ip link set vcan1 up']);
    const third = await start();
    // Whether its socket was found gone before or after this start took it up, it reads again.
    for (let n = 10; third.seqs().length === 0 && n < 200; n++) {
      await send(n, n);
      await third.t.waitFor(() => third.seqs().length > 0, 'a frame after vcan1 was added again', 200).catch(() => undefined);
    }
    await third.bridge.stop();
    await releaseKept(reloadState);
    return {
      before: before.seqs().map((p) => p.value),
      after: after.seqs().map((p) => p.value),
      heldStampedBeforeRestart: held.every((p) => p.timestamp! < restartAt),
      thirdRead: third.seqs().length > 0,
    };
  });

  // --once: the command waits for the bus's first points, delivers them and exits.
  await check('once', async () => {
    const map = join(work, 'once.yaml');
    writeFileSync(map, `source_id: uml\nsink: { url: stdout }\ncan:\n  interface: socketcan:vcan0\n  dbc: ${join(work, 'sentinel.dbc')}\n`);
    const bridge = command(bundle, ['--config', map, '--once', '--dry-run']);
    // Frames until it exits: it reads only once its socket is open.
    for (let i = 0; !bridge.exited() && i < 100; i++) {
      await run('cansend', ['vcan0', '7EE#2A']);
      await bridge.until(() => bridge.exited(), 'the --once run to exit', 200).catch(() => undefined);
    }
    await bridge.until(bridge.exited, 'the --once run to exit');
    return { code: bridge.code(), points: bridge.points().map((p) => [p.metric, p.value]) };
  });

  // --scan: the command listens to vcan0 and lists what it heard.
  await check('scan', async () => {
    const map = join(work, 'scan.yaml');
    writeFileSync(map, `source_id: uml\nsink: { url: stdout }\ncan:\n  interface: socketcan:vcan0\n  dbc: ${join(work, 'sentinel.dbc')}\n`);
    // Long enough for five cansend processes in a User-Mode Linux on a loaded machine (5 s was not).
    const bridge = command(bundle, ['--config', map, '--scan', '20s']);
    // The socket is open once it says it listens: frames from then on are heard.
    await bridge.until(() => bridge.log.some((l) => l.includes('listening to vcan0')), 'the scan to open vcan0');
    for (const frame of ['7EE#2A', '7EE#2B', '7EE#2C', '123#0102', '1ABCDEF0#00']) await run('cansend', ['vcan0', frame]);
    await bridge.until(bridge.exited, 'the scan to finish');
    return { code: bridge.code(), out: bridge.out };
  });

  // --scan of an interface that goes away (an adapter unplugged): what was heard is printed at
  // once, and the exit says it failed; then of one that is down, said at the start and the end.
  await check('scanGone', async () => {
    execFileSync('sh', ['-c', 'ip link show vcan1 >/dev/null 2>&1 || (ip link add dev vcan1 type vcan && ip link set vcan1 mtu 72 && ip link set vcan1 up)']);
    const map = join(work, 'scan-gone.yaml');
    writeFileSync(map, `source_id: uml\nsink: { url: stdout }\ncan:\n  interface: socketcan:vcan1\n  dbc: ${join(work, 'sentinel.dbc')}\n`);
    const gone = command(bundle, ['--config', map, '--scan', '10m']);
    await gone.until(() => gone.log.some((l) => l.includes('listening to vcan1')), 'the scan to open vcan1');
    for (const frame of ['7EE#01', '7EE#02']) await run('cansend', ['vcan1', frame]);
    execFileSync('ip', ['link', 'delete', 'vcan1']);
    // Long before its ten minutes: the deadline is a safety net.
    await gone.until(gone.exited, 'the scan to end when vcan1 went away', 60_000);
    execFileSync('sh', ['-c', 'ip link add dev vcan1 type vcan && ip link set vcan1 mtu 72']);
    const down = command(bundle, ['--config', map, '--scan', '1s']);
    await down.until(down.exited, 'the scan of a down vcan1 to end');
    execFileSync('ip', ['link', 'set', 'vcan1', 'up']);
    const said = (c: typeof gone) => c.log.filter((l) => l.includes('--scan') || l.includes('is down'));
    return { gone: { code: gone.code(), out: gone.out, log: said(gone) }, down: { code: down.code(), out: down.out, log: said(down) } };
  });

  writeFileSync(join(work, 'bridge-result.json'), JSON.stringify(result, null, 1));
  process.exit(0);
}

if (process.argv[2] === 'cli') {
  process.exitCode = await main(process.argv.slice(3));
} else {
  await checks(process.argv[2]!, process.argv[3]!);
}
