import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSimulatorCli, type RunningSimulator } from '../src/cli/index.js';

/** Runs a simulator command whose `start` gives `sim`; resolves with the exit code and what it printed. */
async function run(sim: RunningSimulator, whileRunning?: () => void) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runSimulatorCli(
    {
      name: 'test-sim',
      usage: 'usage: test-sim\n',
      options: {},
      async start() {
        // After the microtasks that carry on from start(): the command then listens for signals.
        if (whileRunning) setImmediate(whileRunning);
        return sim;
      },
    },
    [],
    { stdout, stderr },
  );
  return { code, out, err };
}

describe('runSimulatorCli: simulators that finish by themselves', () => {
  it('exits 0 once done, with its line on stderr and nothing waiting for a signal', async () => {
    let closed = 0;
    const { code, err } = await run({ describe: 'writing a log', done: Promise.resolve('wrote 3 frames'), close: async () => void (closed += 1) });
    expect(code).toBe(0);
    expect(err).toBe('test-sim: writing a log (Ctrl-C stops)\ntest-sim: wrote 3 frames\n');
    // Stopped as on a signal; its own line wins over close()'s.
    expect(closed).toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('exits 1 with the reason when it fails, and closes it', async () => {
    let closed = 0;
    const { code, err } = await run({ done: Promise.reject(new Error('disk full')), close: async () => void (closed += 1) });
    expect(code).toBe(1);
    expect(err).toMatch(/test-sim: disk full\n$/);
    expect(closed).toBe(1);
  });

  it('a signal before it is done stops it through close()', async () => {
    let closed = 0;
    const never = new Promise<string>(() => undefined);
    const { code, err } = await run({ done: never, close: async () => ((closed += 1), 'stopped after 2 frames') }, () => process.emit('SIGTERM'));
    expect(code).toBe(0);
    expect(closed).toBe(1);
    expect(err).toMatch(/test-sim: stopped after 2 frames\n$/);
  });
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

describe('runSimulatorCli', () => {
  it('a simulator that finishes by itself (done) is stopped as on a signal: exit 0, summary on stderr, no signal listener left', async () => {
    const streams = io();
    const before = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    let closed = 0;
    const code = await runSimulatorCli(
      {
        name: 'demo-sim',
        usage: 'Usage: demo-sim\n',
        options: {},
        async start(): Promise<RunningSimulator> {
          return { url: 'demo://1', done: Promise.resolve(), close: async () => `closed ${++closed}` };
        },
      },
      [],
      streams,
    );
    expect(code).toBe(0);
    expect(closed).toBe(1);
    expect(streams.out()).toBe('demo://1\n');
    expect(streams.err()).toContain('demo-sim: closed 1');
    expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(before);
  });

  it('a wrong option is a usage error (exit 2), --help exit 0', async () => {
    const cli = { name: 'demo-sim', usage: 'Usage: demo-sim [--port N]\n', options: { port: { type: 'string' as const } }, start: async () => 'never' };
    const wrong = io();
    expect(await runSimulatorCli(cli, ['--bogus'], wrong)).toBe(2);
    expect(wrong.err()).toContain('Usage: demo-sim');
    const help = io();
    expect(await runSimulatorCli(cli, ['--help'], help)).toBe(0);
    expect(help.out()).toBe('Usage: demo-sim [--port N]\n');
  });
});
