import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE_DIR, 'bin.js');
const LISTENING = /^fieldbridge-gateway listening on (http:\/\/\S+\/ingest)$/m;

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stderr; rejects if the process exits first. */
  waitForStderr: (pattern: RegExp) => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const running: Cli[] = [];

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  const { FIELDBRIDGE_GATEWAY_API_KEY: _ignored, ...baseEnv } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiters = new Set<() => void>();
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const check of waiters) check();
  });
  const cli: Cli = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = err.match(pattern);
          if (match !== null) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
        void exited.then((code) => reject(new Error(`exited with ${String(code)} before ${String(pattern)}; stderr: ${err}`)));
      }),
  };
  running.push(cli);
  return cli;
}

async function post(url: string, key: string) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ source_id: 'plant-a', points: [{ metric: 'line1.motor.rpm', value: 1480, tags: { site: 'plant-a' } }] }),
  });
  return { status: res.statusCode, json: await res.body.json() };
}

/** Output of an in-process `main()` run. */
function captureIo(stopped?: Promise<unknown>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env: {}, ...(stopped === undefined ? {} : { stopped }) }, out: () => out, err: () => err };
}

beforeAll(() => {
  if (!existsSync(join(PACKAGE_DIR, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: run `pnpm --filter @fieldbridge/gateway-dev build` first');
  }
});

afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.exited;
  }
});

describe('fieldbridge-gateway (child process)', () => {
  it('listens on an OS-chosen port, stores a POST, and exits 0 on SIGTERM', async () => {
    const cli = startCli(['--port', '0', '--quiet', '--api-key', 'cli-key']);
    const [, url] = await cli.waitForStderr(LISTENING);
    const answer = await post(String(url), 'cli-key');
    expect(answer).toEqual({ status: 200, json: { success: true, count: 1, server_time_ms: expect.any(Number) } });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe('');
  });

  it('generates and prints a key when none is given, prints points, and exits 0 on SIGINT', async () => {
    const cli = startCli(['--port', '0']);
    const [, key] = await cli.waitForStderr(/generated one for this run: (\S+)/);
    const [, url] = await cli.waitForStderr(LISTENING);
    expect((await post(String(url), String(key))).status).toBe(200);
    expect((await post(String(url), 'other')).status).toBe(401);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} plant-a {2}line1\.motor\.rpm = 1480 {2}\{site=plant-a\}\n$/);
  });

  it('says a refused request on stderr, with why, once a minute for the same refusal (a wrong key, a bad point)', async () => {
    const cli = startCli(['--port', '0', '--quiet', '--api-key', 'cli-key']);
    const [, url] = await cli.waitForStderr(LISTENING);
    expect((await post(String(url), 'wrong-key')).status).toBe(401);
    expect((await post(String(url), 'wrong-key')).status).toBe(401);
    const bad = await request(String(url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'cli-key' },
      body: JSON.stringify({ source_id: 'plant-a', points: [{ metric: 'line1.motor.rpm', value: null }] }),
    });
    await bad.body.dump();
    expect(bad.statusCode).toBe(400);
    // Lines come in the order the requests were handled: the second 401 was counted, not said.
    await cli.waitForStderr(/refused HTTP 400 from plant-a: points\[0\]/);
    const refusals = cli.stderr().split('\n').filter((l) => l.includes(' refused '));
    expect(refusals).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} refused HTTP 401: invalid API key/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} refused HTTP 400 from plant-a: points\[0\]\.value/),
    ]);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe('');
  });

  it('takes keys from FIELDBRIDGE_GATEWAY_API_KEY and writes --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-cli-'));
    try {
      const out = join(dir, 'points.ndjson');
      const cli = startCli(['--port', '0', '--quiet', '--out', out, '--influx'], { FIELDBRIDGE_GATEWAY_API_KEY: 'env-a,env-b' });
      const [, url] = await cli.waitForStderr(LISTENING);
      expect((await post(String(url), 'env-b')).status).toBe(200);
      const influx = await request(String(url).replace('/ingest', '/api/v2/write?precision=s'), {
        method: 'POST',
        headers: { authorization: 'Token env-a' },
        body: 'cpu v=1 1700000000',
      });
      await influx.body.dump();
      expect(influx.statusCode).toBe(204);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { metric: string });
      expect(lines.map((p) => p.metric)).toEqual(['line1.motor.rpm', 'cpu.v']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a message for an unknown flag', async () => {
    const cli = startCli(['--bogus']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain("Unknown option '--bogus'");
  });
});

describe('main()', () => {
  it('prints help and the version, exiting 0', async () => {
    const help = captureIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('Usage: fieldbridge-gateway');
    const version = captureIo();
    expect(await main(['--version'], version.io)).toBe(0);
    const pkg = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
    expect(version.out()).toBe(`${pkg.version}\n`);
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--clock-offset-ms', 'soon']],
    [['--api-key']],
    [['stray-positional']],
    [['--api-key', 'same', '--read-only-key', 'same', '--port', '0']],
  ])('exits 2 for %j', async (args) => {
    const run = captureIo();
    expect(await main(args, run.io)).toBe(2);
    expect(run.err()).toMatch(/^fieldbridge-gateway: /);
  });

  it('runs until told to stop, with the clock offset applied', async () => {
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const run = captureIo(stopped);
    const exit = main(['--port', '0', '--quiet', '--api-key', 'k', '--clock-offset-ms=-3600000'], run.io);
    await expect.poll(() => LISTENING.test(run.err())).toBe(true);
    const url = String(run.err().match(LISTENING)?.[1]);
    const answer = await post(url, 'k');
    const serverTime = (answer.json as { server_time_ms: number }).server_time_ms;
    expect(Date.now() - serverTime).toBeGreaterThanOrEqual(3_600_000);
    stop();
    expect(await exit).toBe(0);
  });

  it('beyond loopback, prints a live page address whose key opens the page\'s stream', async () => {
    let stop = (): void => undefined;
    const run = captureIo(new Promise<void>((resolve) => (stop = resolve)));
    const exit = main(['--host', '0.0.0.0', '--port', '0', '--quiet', '--api-key', 'k+ey/1'], run.io);
    const PAGE = /live page on (http:\/\/\S+)$/m;
    await expect.poll(() => PAGE.test(run.err())).toBe(true);
    const page = new URL(String(run.err().match(PAGE)?.[1]));
    // The page adds its own ?key= to every /_dev request (page/key.js): the printed one must open them.
    const stats = await request(new URL(`/_dev/stats${page.search}`, page));
    await stats.body.dump();
    expect(stats.statusCode).toBe(200);
    stop();
    expect(await exit).toBe(0);
  });

  it('exits 1 naming the host, not the port, when the host is no address of this machine', async () => {
    const run = captureIo();
    // 192.0.2.1 is TEST-NET-1: never an address of the machine the test runs on.
    expect(await main(['--host', '192.0.2.1', '--port', '0', '--api-key', 'k'], run.io)).toBe(1);
    expect(run.err()).toContain('the host is no address of this machine: listen on 127.0.0.1, or 0.0.0.0 for every interface');
    expect(run.err()).not.toContain('choose another port');
  });

  it('exits 2 when --out cannot be opened, saying why in its own words (not the library function it called)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-cli-'));
    try {
      const file = join(dir, 'a-file');
      await writeFile(file, '');
      const run = captureIo();
      expect(await main(['--port', '0', '--api-key', 'k', '--out', join(file, 'x.ndjson')], run.io)).toBe(2);
      expect(run.err().trim().split('\n').at(-1)).toBe(`fieldbridge-gateway: cannot open out file ${join(file, 'x.ndjson')}: its folder ${file} cannot be made: a file stands where a folder of that path must be`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when the port is taken', async () => {
    let stop = (): void => undefined;
    const first = captureIo(new Promise<void>((resolve) => (stop = resolve)));
    const exit = main(['--port', '0', '--quiet', '--api-key', 'k'], first.io);
    await expect.poll(() => LISTENING.test(first.err())).toBe(true);
    const port = String(first.err().match(/:(\d+)\/ingest/)?.[1]);
    const second = captureIo();
    expect(await main(['--port', port, '--api-key', 'k'], second.io)).toBe(1);
    expect(second.err()).toContain('cannot listen');
    expect(second.err()).toContain('choose another port, or 0 for any free one');
    stop();
    expect(await exit).toBe(0);
  });
});
