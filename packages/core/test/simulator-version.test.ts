import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSimulatorCli } from '../src/cli/index.js';

describe('runSimulatorCli --version', () => {
  it('prints the version given, and starts nothing (exit 0)', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    let started = 0;
    const cli = { name: 'demo-sim', usage: 'Usage: demo-sim\n', version: '1.2.3', options: {}, start: async () => `started ${++started}` };
    expect(await runSimulatorCli(cli, ['--version'], { stdout, stderr: new PassThrough() })).toBe(0);
    expect(out).toBe('1.2.3\n');
    expect(started).toBe(0);
  });
});
