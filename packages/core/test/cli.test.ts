import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBridgeCli } from '../src/cli/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { closedPort } from './helpers/closed-port.js';
import { spawnCounterCli } from './helpers/spawn-cli.js';
import { until as waitFor } from '../src/testing/until.js';
import { runBridgeCommand } from '../src/testing/captured-io.js';

let dir: string;
let gateway: Gateway;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fb-cli-'));
  gateway = await createGateway({ apiKeys: ['k1'] });
});
afterEach(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

const mapping = (body: string) => {
  const file = join(dir, 'map.yaml');
  writeFileSync(file, body);
  return file;
};
const goodMapping = (extra = '') => `source_id: cli-test
sink:
  url: ${gateway.url}
  api_key: \${KEY}
  batch: { linger_ms: 20 }
${extra}counter:
  interval_ms: 20
  channels:
    - { name: a, metric: demo.a }
    - { name: b, metric: demo.b, start: 100 }
`;

const run = (args: string[], env: NodeJS.ProcessEnv = { KEY: 'k1' }) => runBridgeCommand(counterBridge, args, env);

describe('bridge command line', () => {
  it('--check validates and prints what would be read, hiding the key', async () => {
    const { code, out } = await run(['--config', mapping(goodMapping()), '--check']);
    expect(code).toBe(0);
    expect(out).toContain('map.yaml: ok');
    expect(out).toContain('a -> demo.a every 20 ms');
    expect(out).toContain('"api_key":"***"');
    expect(out).not.toContain('k1');
    expect(out).not.toMatch(/note: .*api_key/);
    expect(gateway.stats().requests).toBe(0);
  });

  it('--check notes a sink with no api_key, the usual first 401, naming no variable the file does not read', async () => {
    const { code, out } = await run(['--config', mapping(goodMapping()), '--check'], { KEY: '' });
    expect(code).toBe(0);
    expect(out).toContain('  note: sink.api_key is empty (is the variable it reads set, PLEXUS_API_KEY in a starter?); a receiver that requires one answers 401');
    // Without the key in the file, setting PLEXUS_API_KEY changes nothing: the note says to add it.
    const without = await run(['--config', mapping(goodMapping().replace(/^ {2}api_key: .*\n/m, '')), '--check'], {});
    expect(without.code, without.err).toBe(0);
    expect(without.out).toContain('  note: the file sets no sink.api_key; a receiver that requires one answers 401 (add api_key: ${PLEXUS_API_KEY} under sink: and set that variable)');
    expect(out + without.out).not.toContain('is PLEXUS_API_KEY set');
  });

  it('says where a ${VAR} is not set (it reads as empty), and how to make that deliberate', async () => {
    const file = mapping(goodMapping());
    const { code, out, err } = await run(['--config', file, '--check'], {});
    expect(code).toBe(0);
    expect(out).toContain('map.yaml: ok');
    expect(err).toBe(`${file}:4:12 sink.api_key: \${KEY} is not set, so it reads as empty; set it, or write \${KEY:-default} for a default or \${KEY:?why} to require it\n`);
    expect((await run(['--config', file, '--check'])).err).toBe('');
  });

  it('a wrong mapping prints file:line:col key: message and exits 2', async () => {
    const file = mapping(goodMapping().replace('interval_ms: 20', 'interval: 20'));
    const { code, err } = await run(['--config', file]);
    expect(code).toBe(2);
    expect(err.trim()).toBe(`${file}:7:3 counter.interval: unknown key (did you mean interval_ms?)`);
  });

  it('usage errors exit 2; --help and --version exit 0', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['--config', join(dir, 'missing.yaml')])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--dry-run');
    expect(help.out.replace(/\s+/g, ' ')).toContain('(e.g. 30s; default 10s)');
    expect((await run(['--version'])).out.trim()).toBe('0.0.0-test');
  });

  it('--help says what the bridge reads in its words (`reads`), else by its name', async () => {
    expect((await run(['--help'])).out.replace(/\s+/g, ' ')).toContain('Reads counter into metric points');
    const said = await runBridgeCommand({ ...counterBridge, reads: 'counters that count up' }, ['--help'], {});
    expect(said.out.replace(/\s+/g, ' ')).toContain('Reads counters that count up into metric points and delivers them to a Plexus-compatible ingest service.');
  });

  it("--help states the bridge's own default --once wait", async () => {
    const slow = { ...counterBridge, onceTimeoutMs: () => 32_000, onceTimeoutText: '32s with the default timeouts' };
    const help = await runBridgeCommand(slow, ['--help'], {});
    expect(help.code).toBe(0);
    expect(help.out.replace(/\s+/g, ' ')).toContain('(e.g. 30s; default 32s with the default timeouts)');
  });

  it('--once reads each channel once, delivers, and exits 0', async () => {
    // fatal, as log.level takes it.
    const { code } = await run(['--config', mapping(goodMapping()), '--once', '--log-level', 'fatal']);
    expect(code).toBe(0);
    expect(gateway.points().map((p) => [p.metric, p.value, p.source_id])).toEqual([
      ['demo.a', 0, 'cli-test'],
      ['demo.b', 100, 'cli-test'],
    ]);
  });

  it('--once that fails part-way still delivers what was read, and exits 1', async () => {
    const { code } = await run(['--config', mapping(goodMapping().replace('interval_ms: 20', 'interval_ms: 20\n  fail_once: true')), '--once', '--log-level', 'silent']);
    expect(code).toBe(1);
    expect(gateway.points().map((p) => p.value)).toEqual([0, 100]);
  });

  it('--once whose points the receiver refused exits 1, saying how many went to the dead-letter file; a replay that ran out too', async () => {
    gateway.setFaults({ status: 400 });
    const dead = join(dir, 'refused.ndjson');
    const file = mapping(goodMapping(`  dead_letter: { path: ${dead} }\n`));
    const once = await run(['--config', file, '--once', '--log-level', 'error']);
    expect(once.code, once.err).toBe(1);
    expect(readFileSync(dead, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(once.err).toContain(`2 points were refused and written to ${dead} with the reason; \`fieldbridge resend --config ${file}\` sends them again once that is fixed`);
    // A source that runs out ends its run as --once does: refusals make it exit 1.
    const ranOut = await run(['--config', mapping(goodMapping(`  dead_letter: { path: ${dead} }\n`).replace('interval_ms: 20', 'interval_ms: 5\n  end_after: 1')), '--log-level', 'silent']);
    expect(ranOut.code).toBe(1);
    gateway.setFaults(undefined);
    expect((await run(['--config', file, '--once', '--log-level', 'silent'])).code).toBe(0);
  });

  it('--once with the receiver down waits shutdown_timeout_ms once, to deliver and close together; what was read stays in the spool, exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/ingest`;
    const spool = join(dir, 'spool');
    const text = goodMapping().replace(`url: ${gateway.url}`, `url: ${url}\n  shutdown_timeout_ms: 3000\n  buffer: { path: ${spool} }`);
    const { code, err } = await run(['--config', mapping(text), '--once', '--log-level', 'info']);
    expect(code).toBe(1);
    const lines = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { time: number; msg: string });
    const late = lines.find((l) => l.msg === 'not everything was delivered before the deadline');
    const kept = lines.find((l) => l.msg.startsWith('2 undelivered points kept in the spool'));
    expect(late, err).toBeDefined();
    expect(kept, err).toBeDefined();
    // Closing had what was left of the 3 s after delivering used them all: it did not wait 3 s more.
    expect(kept!.time - late!.time).toBeLessThan(3000);
  });

  it("a bridge's own option can change its section for the run (cli.apply), before --check and the run", async () => {
    const withStart = {
      ...counterBridge,
      describe: (c: Parameters<typeof counterBridge.describe>[0]) => c.channels.map((ch) => `${ch.name} starts at ${ch.start}`),
      cli: {
        options: [{ flags: '--start <n>', description: 'first value of every channel' }],
        apply: (options: Record<string, unknown>, c: Parameters<typeof counterBridge.describe>[0]) =>
          options.start === undefined ? c : { ...c, channels: c.channels.map((ch) => ({ ...ch, start: Number(options.start) })) },
      },
    };
    const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), env: { KEY: 'k1' } });
    const check = io();
    let printed = '';
    check.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    expect(await runBridgeCli(withStart, ['--config', mapping(goodMapping()), '--check', '--start', '7'], check)).toBe(0);
    expect(printed).toContain('a starts at 7');
    expect(printed).toContain('b starts at 7');
    expect(await runBridgeCli(withStart, ['--config', mapping(goodMapping()), '--once', '--log-level', 'silent', '--start', '40'], io())).toBe(0);
    expect(gateway.points().map((p) => p.value)).toEqual([40, 40]);
  });

  it('a source that runs out ends the run: everything it read is delivered, exit 0', async () => {
    const { code } = await run(['--config', mapping(goodMapping().replace('interval_ms: 20', 'interval_ms: 5\n  end_after: 3')), '--log-level', 'silent']);
    expect(code).toBe(0);
    expect(gateway.points().map((p) => p.value)).toEqual([0, 100, 1, 101, 2, 102]);
  });

  it('a source that runs out while nothing can be delivered, with a memory spool, ends with exit 1: what it read is lost', async () => {
    gateway.setFaults({ status: 503 });
    const file = mapping(goodMapping().replace('batch: { linger_ms: 20 }', 'batch: { linger_ms: 20 }\n  shutdown_timeout_ms: 100').replace('interval_ms: 20', 'interval_ms: 5\n  end_after: 3'));
    expect((await run(['--config', file, '--log-level', 'silent'])).code).toBe(1);
    // With a disk spool the same run keeps everything for the next start: exit 0.
    const kept = mapping(goodMapping(`  buffer: { path: ${join(dir, 'spool')} }\n`).replace('batch: { linger_ms: 20 }', 'batch: { linger_ms: 20 }\n  shutdown_timeout_ms: 100').replace('interval_ms: 20', 'interval_ms: 5\n  end_after: 3'));
    expect((await run(['--config', kept, '--log-level', 'silent'])).code).toBe(0);
  });

  it('--dry-run --once prints NDJSON on stdout and sends nothing', async () => {
    const { code, out } = await run(['--config', mapping(goodMapping()), '--dry-run', '--once', '--log-level', 'silent']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; source_id: string });
    expect(lines.map((l) => l.metric)).toEqual(['demo.a', 'demo.b']);
    expect(lines[0]!.source_id).toBe('cli-test');
    expect(gateway.stats().requests).toBe(0);
  });
});

describe('bridge process', () => {
  it('serves health and metrics, and SIGTERM drains everything before exit 0', async () => {
    const cli = spawnCounterCli(['--config', mapping(goodMapping('observe: { listen: 127.0.0.1:0 }\n'))], { KEY: 'k1' });
    const line = (await cli.waitForLog(/health and metrics on/))!;
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
    await waitFor(() => gateway.points().length >= 10, 'points arrive');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, channels: { a: 'connected', b: 'connected' } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/fieldbridge_points_sent_total \d+/);
    expect(metrics).toMatch(/fieldbridge_source_connected\{bridge="counter",channel="a"\} 1/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // Every value from 0 on, none missing, none twice (two requests are in flight, so the
    // gateway may store two batches in either order).
    const a = gateway.points({ metric: 'demo.a' }).map((p) => p.value as number).sort((x, y) => x - y);
    expect(a).toEqual([...Array(a.length).keys()]);
    const sent = /fieldbridge_points_written_total (\d+)/.exec(metrics)![1];
    expect(gateway.points().length).toBeGreaterThanOrEqual(Number(sent));
    expect(cli.stderr()).not.toMatch(/undelivered/);
  });

  it('a reader that stops reading (--dry-run | head) ends a dry run quietly, exit 0; a stdout sink stops with exit 1 and keeps what it could not write', async () => {
    const closeAfterFirstLine = async (cli: ReturnType<typeof spawnCounterCli>) => {
      await waitFor(() => cli.stdout().includes('\n'), 'a first line on stdout');
      // The reader goes away, as head does after its lines: the next write fails with EPIPE.
      cli.child.stdout!.destroy();
      return cli.exited;
    };
    const dry = spawnCounterCli(['--config', mapping(goodMapping()), '--dry-run'], { KEY: 'k1' });
    expect(await closeAfterFirstLine(dry)).toBe(0);
    expect(dry.stderr()).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect(dry.logs().map((l) => l.msg)).toContain('stdout was closed by its reader: the dry run ends');

    const spool = join(dir, 'spool');
    const toStdout = mapping(`source_id: cli-test\nsink: { url: stdout, batch: { linger_ms: 20 }, buffer: { path: ${spool} }, shutdown_timeout_ms: 200 }\ncounter:\n  interval_ms: 5\n  channels: [{ name: a, metric: demo.a }]\n`);
    const sink = spawnCounterCli(['--config', toStdout], { KEY: 'k1' });
    expect(await closeAfterFirstLine(sink)).toBe(1);
    expect(sink.stderr()).not.toMatch(/Unhandled|at .*\(node:/);
    expect(sink.logs().map((l) => l.msg)).toContain('stdout was closed by its reader: stopping intake and delivering what is queued');
    // What it read after stdout went away is in the spool, for the next run.
    const { createSqliteSpool } = await import('../src/index.js');
    const kept = createSqliteSpool({ dir: spool, limits: { maxBytes: 1024 * 1024, whenFull: 'drop_oldest' } });
    try {
      expect(kept.stats().points).toBeGreaterThan(0);
    } finally {
      kept.close();
    }
  });

  it('a dry run whose source ran out still ends quietly when its reader is gone during the last delivery', async () => {
    // The source ends in the tick that reads its only point, so the only write (a dry run's batch
    // lingers 100 ms) comes after the end, however slow the machine.
    const file = mapping(`source_id: cli-test\nsink: { url: stdout, shutdown_timeout_ms: 3000 }\ncounter:\n  interval_ms: 5\n  end_after: 1\n  channels: [{ name: a, metric: demo.a }]\n`);
    const dry = spawnCounterCli(['--config', file, '--dry-run'], { KEY: 'k1' });
    dry.child.stdout!.destroy();
    expect(await dry.exited).toBe(0);
    const said = dry.logs().map((l) => l.msg);
    expect(said).toContain('counted 1 ticks: delivering what was read');
    expect(said).toContain('stdout was closed by its reader: the dry run ends');
    expect(dry.stderr()).not.toMatch(/EPIPE|undelivered|lost/);
  });

  it('runs on while nothing but the run holds the process (no observe server, the source waiting on unref\'d timers)', async () => {
    // Nothing of its own keeps this process alive: without the run's hold, node ends it before
    // the first tick (exit 13, its run unfinished).
    const cli = spawnCounterCli(['--config', mapping(goodMapping().replace('interval_ms: 20', 'interval_ms: 20\n  unref_timer: true'))], { KEY: 'k1' });
    await waitFor(() => gateway.points().length >= 4 || cli.child.exitCode !== null, 'points arrive, or the process ends');
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(gateway.points({ metric: 'demo.a' }).length).toBeGreaterThanOrEqual(2);
  });

  it('a second SIGINT exits 1 at once instead of waiting for delivery', async () => {
    gateway.setFaults({ status: 503 });
    const file = mapping(goodMapping().replace('batch: { linger_ms: 20 }', `batch: { linger_ms: 20 }\n  shutdown_timeout_ms: 600000\n  buffer: { path: ${join(dir, 'spool')} }`));
    const cli = spawnCounterCli(['--config', file], { KEY: 'k1' });
    await waitFor(() => (gateway.stats().byStatus['503'] ?? 0) > 0, 'delivery failing');
    cli.child.kill('SIGINT');
    await cli.waitForLog(/stopping intake/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/exiting without waiting for delivery/);
  });

  it('--once: SIGHUP is said and ignored, SIGINT ends the cycle and delivers what it read (exit 0), where node would end the process at once', async () => {
    gateway.setFaults({ status: 503 });
    const file = mapping(goodMapping().replace('interval_ms: 20', 'interval_ms: 20\n  hold_once: true'));
    const cli = spawnCounterCli(['--config', file, '--once', '--once-timeout', '10m'], { KEY: 'k1' });
    await waitFor(() => (gateway.stats().byStatus['503'] ?? 0) > 0, 'the cycle read, its delivery refused');
    cli.child.kill('SIGHUP');
    await cli.waitForLog(/SIGHUP: a --once cycle does not reload its mapping; ignored/);
    gateway.setFaults({});
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/SIGINT: ending the read cycle and delivering what was read/);
    expect(gateway.points({ metric: 'demo.a' }).map((p) => p.value)).toEqual([0]);
    expect(gateway.points({ metric: 'demo.b' }).map((p) => p.value)).toEqual([100]);
  });

  it('SIGHUP reloads the mapping; an invalid one is refused and the old one keeps running', async () => {
    const file = mapping(goodMapping());
    const cli = spawnCounterCli(['--config', file], { KEY: 'k1' });
    await waitFor(() => gateway.points({ metric: 'demo.a' }).length > 0, 'first points');
    writeFileSync(file, goodMapping().replace('interval_ms: 20', 'interval_ms: nope'));
    cli.child.kill('SIGHUP');
    await cli.waitForLog(/mapping file is invalid/);
    writeFileSync(file, goodMapping().replace('metric: demo.b', 'metric: demo.c'));
    cli.child.kill('SIGHUP');
    await waitFor(() => gateway.points({ metric: 'demo.c' }).length > 0, 'points under the reloaded name');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it("a bridge's inspecting option reads a file not ready to run (its run-only issues), and nothing else does", async () => {
    const looked: string[] = [];
    const inspecting = {
      ...counterBridge,
      // Run-only: a channel named "todo" has not been given its metric yet; any channel named "bad" is wrong outright.
      check: (c: Parameters<typeof counterBridge.describe>[0]) => [
        ...c.channels.flatMap((ch, i) => (ch.name === 'todo' ? [{ path: ['channels', i, 'name'], message: 'todo: name the metric first', runOnly: true }] : [])),
        ...c.channels.flatMap((ch, i) => (ch.name === 'bad' ? [{ path: ['channels', i, 'name'], message: 'bad is not allowed' }] : [])),
      ],
      cli: {
        options: [
          { flags: '--look', description: 'looks at the source and exits', inspects: true },
          { flags: '--peek', description: 'looks, but does not finish the command', inspects: true },
        ],
        handle: async (options: Record<string, unknown>, c: Parameters<typeof counterBridge.describe>[0]) => {
          if (options.look) looked.push(c.channels.map((ch) => ch.name).join(','));
          return options.look ? 0 : undefined;
        },
      },
    };
    const notReady = mapping(goodMapping().replace('- { name: b, metric: demo.b, start: 100 }', '- { name: todo, metric: demo.todo }'));
    expect((await runBridgeCommand(inspecting, ['--config', notReady, '--look'], { KEY: 'k1' })).code).toBe(0);
    expect(looked).toEqual(['a,todo']);
    // Without the option the issue stops the command, located; so does an option that does not finish it.
    for (const args of [['--check'], ['--once'], ['--peek']]) {
      const refused = await runBridgeCommand(inspecting, ['--config', notReady, ...args, '--log-level', 'silent'], { KEY: 'k1' });
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.err).toMatch(/map\.yaml:\d+:\d+ counter\.channels\[1\]\.name: todo: name the metric first/);
    }
    // Other issues stop it even then.
    const wrong = mapping(goodMapping().replace('- { name: b, metric: demo.b, start: 100 }', '- { name: todo, metric: demo.todo }\n    - { name: bad, metric: demo.bad }'));
    const both = await runBridgeCommand(inspecting, ['--config', wrong, '--look'], { KEY: 'k1' });
    expect(both.code).toBe(2);
    expect(both.err).toContain('counter.channels[2].name: bad is not allowed');
    expect(both.err).not.toContain('todo');
    expect(looked).toHaveLength(1);
    expect(gateway.points()).toEqual([]);
  });

  it("a bridge's own option handler is told the folder of the durable spool", async () => {
    const seen: (string | undefined)[] = [];
    const withOption = { ...counterBridge, cli: { options: [{ flags: '--where', description: 'prints stateDir' }], handle: async (_o: Record<string, unknown>, _c: unknown, io: { stateDir?: string }) => (seen.push(io.stateDir), 0) } };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const spool = join(dir, 'spool');
    const durable = mapping(goodMapping().replace('batch: { linger_ms: 20 }', `batch: { linger_ms: 20 }\n  buffer: { path: ${spool} }`));
    expect(await runBridgeCli(withOption, ['--config', durable, '--where'], { stdout, stderr, env: { KEY: 'k1' } })).toBe(0);
    const memory = mapping(goodMapping());
    expect(await runBridgeCli(withOption, ['--config', memory, '--where'], { stdout, stderr, env: { KEY: 'k1' } })).toBe(0);
    expect(seen).toEqual([spool, undefined]);
  });

  it("--check tells a bridge's describe() the folder of the durable spool, so it can name the folder it would use", async () => {
    const seen: unknown[] = [];
    const describing = { ...counterBridge, describe: (c: { channels: unknown[] }, where?: { stateDir?: string }) => (seen.push(where), [`${c.channels.length} channels`]) };
    const spool = join(dir, 'spool');
    const durable = mapping(goodMapping().replace('batch: { linger_ms: 20 }', `batch: { linger_ms: 20 }\n  buffer: { path: ${spool} }`));
    expect((await runBridgeCommand(describing, ['--config', durable, '--check'], { KEY: 'k1' })).code).toBe(0);
    expect((await runBridgeCommand(describing, ['--config', mapping(goodMapping()), '--check'], { KEY: 'k1' })).code).toBe(0);
    expect(seen).toEqual([{ stateDir: spool }, {}]);
  });
});
