import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSimulatorCli, type RunningSimulator } from '../src/cli/index.js';

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
