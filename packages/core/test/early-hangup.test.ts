import { execFileSync } from 'node:child_process';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackCleanups } from '../src/testing/cleanup.js';
import { until } from '../src/testing/until.js';
import { spawnCounterCli } from './helpers/spawn-cli.js';

const track = trackCleanups();

const mapping = (metric: string): string => `source_id: early-hup
sink: { url: stdout, batch: { linger_ms: 20 } }
counter:
  interval_ms: 20
  channels: [{ name: a, metric: ${metric} }]
`;

describe('a SIGHUP before the bridge has started', () => {
  // The mapping file is a named pipe: the command is held in the middle of reading it (its start
  // begun, nothing running) until the test writes the file, and the signal lands right there.
  it('does not end the process; the reload it asked for is done once the bridge runs, from the newest file', async () => {
    const dir = await track.tempDir('fb-early-hup-');
    const file = join(dir, 'map.yaml');
    execFileSync('mkfifo', [file]);
    const cli = spawnCounterCli(['--config', file], { NO_COLOR: '1' });
    track.defer(() => cli.child.kill('SIGKILL'));
    // Opening the pipe for writing waits until the command opened it to read its mapping.
    const pipe = await open(file, 'w');
    cli.child.kill('SIGHUP');
    await pipe.writeFile(mapping('demo.first'));
    await pipe.close();
    // What the reload reads: the file as it is now.
    await writeFile(join(dir, 'next.yaml'), mapping('demo.next'));
    await rename(join(dir, 'next.yaml'), file);

    // Without a handler in place the signal ends the process (exit 129): said at once, not at a timeout.
    let starting = true;
    const died = cli.exited.then((code) => {
      if (starting) throw new Error(`the command ended (exit ${code}, ${cli.child.signalCode}):\n${cli.stderr()}`);
    });
    await Promise.race([cli.waitForLog(/SIGHUP: mapping reloaded/), died]);
    starting = false;
    await until(() => cli.stdout().includes('"demo.next"'), 'points of the reloaded file on stdout');
    cli.child.kill('SIGTERM');
    expect(await cli.exited, cli.stderr()).toBe(0);
  });
});
