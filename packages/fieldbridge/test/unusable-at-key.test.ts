import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

// Permissions do not bind root: as root the command runs as `nobody`, as the shipped unit's user would.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** `fieldbridge ...args` run in `dir`, to its end. */
function fieldbridge(dir: string, args: string[], user: object = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'], ...user });
  track.defer(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

const site = (extra: string): string => `source_id: site-a
sink:
  url: stdout
${extra}
mqtt:
  url: mqtt://127.0.0.1:1
  subscriptions: [{ topic: a, format: number, metric: a }]
`;

describe('what a run could not use is said at its key in the file', () => {
  it('fieldbridge check and run refuse a spool directory they cannot write, at sink.buffer.path', async () => {
    const dir = await track.tempDir('fb-ro-spool-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'ro'), { mode: 0o555 });
    writeFileSync(join(dir, 'site.yaml'), site('  buffer: { path: ./ro/spool }'));
    for (const command of ['check', 'run']) {
      const result = await fieldbridge(dir, [command, 'site.yaml'], asUser);
      expect(result.code, `${command}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/^site\.yaml:4:19 sink\.buffer\.path: \.\/ro\/spool does not exist and cannot be created there: .* is not writable by this user/m);
    }
  });

  it('fieldbridge run on an observe port in use fails at observe.listen', async () => {
    const dir = await track.tempDir('fb-port-taken-');
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    track.defer(() => taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    writeFileSync(join(dir, 'site.yaml'), site(`observe: { listen: '127.0.0.1:${port}' }`));
    const result = await fieldbridge(dir, ['run', 'site.yaml']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`site.yaml:4:20 observe.listen: 127.0.0.1:${port}: the port is in use`);
  });
});
