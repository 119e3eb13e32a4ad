import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBridgeCli } from '../src/cli/index.js';
import { createSqliteSpool } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { counterCliFixture, spawnCounterCli } from './helpers/spawn-cli.js';
import { until as waitFor } from '../src/testing/until.js';

let dir: string;
let gateway: Gateway;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fb-svc-'));
  gateway = await createGateway({ apiKeys: ['k1'] });
});
afterEach(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

const mapping = (body: string, name = 'map.yaml'): string => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};
const counterMapping = (sinkExtra = '', top = '') => `source_id: svc-test
sink:
  url: ${gateway.url}
  api_key: k1
  batch: { linger_ms: 20 }
${sinkExtra}${top}counter:
  interval_ms: 20
  channels:
    - { name: a, metric: demo.a }
`;

async function freePort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the bridge process around the bridge (issue 10)', () => {
  it('#4: an observe port already taken is a clean exit 1 saying what to do at its key, before any polling starts', async () => {
    const taken = await freePort();
    try {
      const cli = spawnCounterCli(['--config', mapping(counterMapping('', `observe: { listen: 127.0.0.1:${taken.port} }\n`))]);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toMatch(/map\.yaml:6:20 observe\.listen: 127\.0\.0\.1:\d+: the port is in use \(another bridge with the same observe.listen\?\)/);
      expect(cli.stderr()).not.toMatch(/\n\s+at /);
      expect(gateway.points()).toHaveLength(0);
    } finally {
      await taken.close();
    }
  });

  it('#11: SIGHUP to a spool path another bridge holds keeps the running bridge, and says why', async () => {
    const held = join(dir, 'held-spool');
    const other = createSqliteSpool({ dir: held, limits: { maxBytes: 1e6, whenFull: 'drop_oldest' } });
    const file = mapping(counterMapping(`  buffer: { path: ${join(dir, 'own-spool')} }\n`));
    const cli = spawnCounterCli(['--config', file]);
    try {
      await cli.waitForLog(/running/);
      writeFileSync(file, counterMapping(`  buffer: { path: ${held} }\n`));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: the new sink cannot be used .*keeping the running configuration/);
      const before = gateway.points().length;
      await waitFor(() => gateway.points().length > before + 3, 'points still flowing after the refused reload');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      other.close();
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('SIGHUP starts the bridge again with what it kept across reloads (acrossReloads)', async () => {
    const file = mapping(`source_id: svc-test
sink:
  url: ${gateway.url}
  api_key: k1
  batch: { linger_ms: 20 }
counter:
  interval_ms: 20
  resume: true
  channels:
    - { name: a, metric: demo.a }
`);
    const cli = spawnCounterCli(['--config', file]);
    try {
      await waitFor(() => gateway.points().length >= 3, 'points before the reload');
      // A changed section: the bridge is started again.
      writeFileSync(file, readFileSync(file, 'utf8').replace('interval_ms: 20', 'interval_ms: 25'));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: mapping reloaded; the bridges restarted, the spool kept/);
      const reloadedAt = gateway.points().length;
      await waitFor(() => gateway.points().length > reloadedAt + 3, 'points after the reload');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      // The counter went on from where it was: a bridge started afresh would count from 0 again.
      const values = gateway.points().map((p) => p.value as number).sort((a, b) => a - b);
      expect(values).toEqual(values.map((_, i) => i));
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('SIGHUP that changes only the rules (and observe, log) keeps the bridge reading: no restart, a kept rule keeps its state, a new one reads at once', async () => {
    const observe = await freePort();
    await observe.close();
    const file = (rules: string, top = '') =>
      mapping(`source_id: svc-test
${top}sink:
  url: ${gateway.url}
  api_key: k1
  batch: { linger_ms: 20 }
rules:
${rules}counter:
  interval_ms: 20
  channels:
    - { name: a, metric: demo.a }
`);
    const kept = '  - { name: started, when: demo.a >= 0 }\n';
    const path = file(kept);
    const cli = spawnCounterCli(['--config', path]);
    try {
      await waitFor(() => gateway.points({ metric: 'alert.started' }).length === 1 && gateway.points({ metric: 'demo.a' }).length >= 3, 'points and the alert before the reload');
      file(`${kept}  - { name: past_ten, when: demo.a > 10 }\n`, `observe: { listen: 127.0.0.1:${observe.port} }\nlog: { level: debug }\n`);
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: mapping reloaded; the bridges run on, their connections kept/);
      await waitFor(() => gateway.points({ metric: 'alert.past_ten' }).length === 1, 'the new rule firing');
      expect((await fetch(`http://127.0.0.1:${observe.port}/readyz`)).status).toBe(200);
      const reloadedAt = Math.max(...gateway.points({ metric: 'demo.a' }).map((p) => p.value as number));
      await waitFor(() => gateway.points({ metric: 'demo.a' }).some((p) => (p.value as number) > reloadedAt + 3), 'points after the reload');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      // Counted on without a gap or a repeat: a counter started again (this one keeps nothing across reloads) would count from 0 again.
      const values = gateway.points({ metric: 'demo.a' }).map((p) => p.value as number).sort((a, b) => a - b);
      expect(values).toEqual(values.map((_, i) => i));
      // The unchanged rule went on firing, not fired again.
      expect(gateway.points({ metric: 'alert.started' })).toHaveLength(1);
      expect(cli.stderr()).toMatch(/alert rules replaced: kept with their state: started/);
      expect(cli.stderr()).toMatch(/SIGHUP: log.level changed to debug, which takes effect at the next start/);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('SIGHUP with a new sink goes on with the clock it had: a kept rule reads earlier readings on the same time', async () => {
    // The receiver's clock 90 s behind this box's. The reload's sink sends where nobody answers,
    // so its clock has no sample of its own: had it started from the local clock, a reading stamped
    // before the reload would look 90 s old to the rule it kept.
    const behind = await createGateway({ apiKeys: ['k1'], clockOffsetMs: -90_000 });
    const nobody = await freePort();
    const observe = await freePort();
    await nobody.close();
    await observe.close();
    const spooled = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${observe.port}/metrics`)).text();
      return Number(/^fieldbridge_spool_points (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const file = (url: string, linger: number) =>
      mapping(`source_id: svc-test
observe: { listen: 127.0.0.1:${observe.port} }
sink:
  url: ${url}
  api_key: k1
  batch: { linger_ms: ${linger} }
  retry: { initial_delay_ms: 20, max_delay_ms: 100 }
rules:
  - { name: stale, when: "demo.a >= 0 && age(demo.b) > 30" }
counter:
  interval_ms: 20
  channels:
    - { name: a, metric: demo.a }
    - { name: b, metric: demo.b }
`);
    const cli = spawnCounterCli(['--config', file(behind.url, 20)]);
    try {
      await cli.waitForLog(/running/);
      await waitFor(() => behind.points({ metric: 'demo.b' }).length > 3, 'points on server time');
      file(`http://127.0.0.1:${nobody.port}/ingest`, 30);
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: mapping reloaded \(with a new sink\)/);
      // Polls after the reload, evaluated by the kept rule, wait in the spool (2 points each, after the 2 handed over).
      await waitFor(async () => (await spooled()) >= 6, 'polls read after the reload');
      file(behind.url, 40);
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/undelivered points handed over to the new sink with the memory spool/);
      const reloadedAt = behind.points({ metric: 'demo.b' }).length;
      await waitFor(() => behind.points({ metric: 'demo.b' }).length > reloadedAt + 5, 'points after the reloads');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(behind.points({ metric: 'alert.stale' })).toEqual([]);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await behind.close();
    }
  });

  describe('SIGHUP with a new sink during an outage goes on reading at once, and loses nothing', () => {
    // A shutdown timeout of 10 minutes: a reload that waited for the old sink's delivery would
    // not finish within the test.
    const file = (start: number, linger: number, buffer: string, key = 'k1') =>
      mapping(`source_id: svc-test
sink:
  url: ${gateway.url}
  api_key: ${key}
  batch: { linger_ms: ${linger} }
  retry: { initial_delay_ms: 20, max_delay_ms: 100 }
  shutdown_timeout_ms: 10m
${buffer}counter:
  interval_ms: 20
  channels:
    - { name: a, metric: demo.a, start: ${start} }
`);
    const valuesOf = () => gateway.points().map((p) => p.value as number);
    /** Once the reloaded file's points arrive, SIGTERM: exit 0, and every count read before the reload arrived. */
    const stopsHavingLostNothing = async (cli: ReturnType<typeof spawnCounterCli>) => {
      await waitFor(() => valuesOf().some((v) => v >= 1_000_003), 'points read after the reload');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      const before = valuesOf().filter((v) => v < 1_000_000);
      const last = Math.max(...before);
      expect(last).toBeGreaterThan(0);
      expect(new Set(before).size).toBe(last + 1);
      expect(cli.stderr()).not.toMatch(/points are lost/);
    };

    for (const [what, buffer, after, handedOver] of [
      ['on the same spool file (handed over)', () => `  buffer: { path: ${join(dir, 'spool')} }\n`, () => `  buffer: { path: ${join(dir, 'spool')} }\n`, /undelivered points handed over to the new sink on .*spool, which sends them now/],
      ['with a memory spool (handed over)', () => '', () => '', /undelivered points handed over to the new sink with the memory spool, which sends them now/],
      ['to another spool file (the old sink delivers in the background)', () => `  buffer: { path: ${join(dir, 'spool-a')} }\n`, () => `  buffer: { path: ${join(dir, 'spool-b')} }\n`, undefined],
    ] as const) {
      it(what, async () => {
        const cli = spawnCounterCli(['--config', file(0, 20, buffer())]);
        try {
          await cli.waitForLog(/running/);
          gateway.setFaults({ status: 503 });
          await cli.waitForLog(/HTTP 503/);
          file(1_000_000, 30, after());
          cli.child.kill('SIGHUP');
          await cli.waitForLog(/SIGHUP: mapping reloaded \(with a new sink\)/);
          // A spool handed over is sent now by the new sink: the old one says so, not that a next run will.
          if (handedOver) expect(cli.logs().find((l) => handedOver.test(String(l.msg)))).toMatchObject({ level: 30 });
          expect(cli.stderr()).not.toMatch(/the next run on .* sends them/);
          gateway.setFaults(undefined);
          await stopsHavingLostNothing(cli);
        } finally {
          if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
        }
      });
    }

    it('with a memory spool and a refused key, the key fixed in the file: the spool is handed over, nothing lost', async () => {
      const cli = spawnCounterCli(['--config', file(0, 20, '', 'wrong')]);
      try {
        await cli.waitForLog(/running/);
        await cli.waitForLog(/401|refus/i);
        file(1_000_000, 30, '');
        cli.child.kill('SIGHUP');
        await cli.waitForLog(/SIGHUP: mapping reloaded \(with a new sink\)/);
        await stopsHavingLostNothing(cli);
        // The points the refused sink stamped before any server time are this process's: the new
        // sink moves them onto server time with its own, not as an earlier run's.
        expect(cli.stderr()).not.toMatch(/an earlier run stamped/);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    });

    it('a sink URL that does not parse is refused at the reload, and the disk spool stays with the running sink', async () => {
      const cli = spawnCounterCli(['--config', file(0, 20, `  buffer: { path: ${join(dir, 'spool')} }\n`)]);
      try {
        await cli.waitForLog(/running/);
        writeFileSync(join(dir, 'map.yaml'), readFileSync(join(dir, 'map.yaml'), 'utf8').replace(gateway.url, `'${gateway.url.replace('://127.0.0.1:', '://127.0.0.1: ')}'`));
        cli.child.kill('SIGHUP');
        await cli.waitForLog(/SIGHUP: the mapping file is invalid; keeping the running configuration/);
        expect(cli.stderr()).toMatch(/sink\.url: \\?"http:\/\/127\.0\.0\.1: \d+\/ingest\\?" is not a valid URL \(it holds a space\)/);
        const before = gateway.points().length;
        await waitFor(() => gateway.points().length > before + 3, 'points still flowing after the refused reload');
        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    });
  });

  it('started through npx, whose process dies without passing the signal on, stops as on SIGTERM instead of running on orphaned', async () => {
    const spoolDir = join(dir, 'spool');
    const file = mapping(counterMapping(`  buffer: { path: ${spoolDir} }\n`));
    // npm runs a bin through a shell that does not pass signals on either: killing the shell is
    // what a supervisor's SIGTERM to npx amounts to for the node process below it.
    const shell = spawn('sh', ['-c', '"$@"; exit $?', 'sh', process.execPath, '--import', 'tsx', counterCliFixture, '--config', file], {
      env: { ...process.env, npm_command: 'exec' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    shell.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<void>((resolve) => shell.stderr!.on('close', () => resolve()));
    try {
      await waitFor(() => /running/.test(stderr), 'the bridge running');
      shell.kill('SIGKILL');
      // The node process closes the pipe only when it exits.
      await closed;
      expect(stderr).toMatch(/the npx \(npm exec\) process that started this one is gone .*stopping as on SIGTERM/);
      expect(stderr).toMatch(/launcher gone: stopping intake and delivering what is queued/);
      // Its spool is free for the next start.
      createSqliteSpool({ dir: spoolDir, limits: { maxBytes: 1e6, whenFull: 'drop_oldest' } }).close();
      expect(gateway.points().length).toBeGreaterThan(0);
    } finally {
      if (shell.exitCode === null) shell.kill('SIGKILL');
      const pid = /"pid":(\d+)/.exec(stderr)?.[1];
      if (pid !== undefined) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
  });

  for (const [spool, buffer, says] of [
    ['a memory spool', () => '', /SIGTERM again: exiting without waiting for delivery; [1-9]\d* undelivered points in the memory spool are lost/],
    ['a disk spool', () => `  buffer: { path: ${join(dir, 'spool')} }\n`, /SIGTERM again: exiting without waiting for delivery; [1-9]\d* undelivered points stay in the disk spool at .*spool \(a run on it sends them\)/],
  ] as const) {
    it(`a second signal exits at once (exit 1), saying what it leaves undelivered in ${spool}`, async () => {
      gateway.setFaults({ status: 503 });
      const cli = spawnCounterCli(['--config', mapping(counterMapping(`  shutdown_timeout_ms: 10m\n${buffer()}`))]);
      try {
        await cli.waitForLog(/HTTP 503/);
        cli.child.kill('SIGTERM');
        await cli.waitForLog(/SIGTERM: stopping intake/);
        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(1);
        expect(cli.stderr()).toMatch(says);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    });
  }

  it('#21: SIGHUP applies a new observe.listen (and refuses one in use, keeping everything)', async () => {
    const first = await freePort();
    const second = await freePort();
    await first.close();
    await second.close();
    const taken = await freePort();
    const file = mapping(counterMapping('', `observe: { listen: 127.0.0.1:${first.port} }\n`));
    const cli = spawnCounterCli(['--config', file]);
    try {
      await cli.waitForLog(/running/);
      expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
      writeFileSync(file, counterMapping('', `observe: { listen: 127.0.0.1:${taken.port} }\n`));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: observe.listen .* in use.*keeping the running configuration/);
      expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
      writeFileSync(file, counterMapping('', `observe: { listen: 127.0.0.1:${second.port} }\n`));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/health and metrics now on/);
      expect((await fetch(`http://127.0.0.1:${second.port}/readyz`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.1:${first.port}/healthz`)).rejects.toThrow();
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      await taken.close();
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('#18: --check and the logs never print credentials carried in sink.url', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const file = mapping(`source_id: a\nsink:\n  url: https://user:hunter2@gw.example.com/ingest?token=s3cr3t&site=a\ncounter:\n  channels: [{ name: a, metric: m }]\n`);
    expect(await runBridgeCli(counterBridge, ['--config', file, '--check'], { stdout, stderr: new PassThrough(), env: {} })).toBe(0);
    expect(out).toContain('https://***:***@gw.example.com/ingest?token=***&site=a');
    expect(out).not.toMatch(/hunter2|s3cr3t/);
  });

  it('#22: the observe server holds a bounded number of connections, and idle ones never lock a probe out', async () => {
    const port = (await freePort());
    await port.close();
    const cli = spawnCounterCli(['--config', mapping(counterMapping('', `observe: { listen: 127.0.0.1:${port.port} }\n`))]);
    const sockets: net.Socket[] = [];
    try {
      await cli.waitForLog(/running/);
      for (let i = 0; i < 200; i++) sockets.push(net.connect(port.port, '127.0.0.1').on('error', () => undefined));
      await waitFor(() => sockets.filter((s) => s.destroyed || s.closed).length >= 200 - 64, 'connections past the cap closed');
      // 64 idle connections held open do not lock a probe out: its connection closes the oldest idle one.
      const open = sockets.filter((s) => !s.destroyed && !s.closed);
      expect(open.length).toBeLessThanOrEqual(64);
      const probe = await fetch(`http://127.0.0.1:${port.port}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(probe.status).toBe(200);
      for (const s of sockets) s.destroy();
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port.port}/healthz`).catch(() => undefined))?.status === 200, 'healthz answers again');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });
});
