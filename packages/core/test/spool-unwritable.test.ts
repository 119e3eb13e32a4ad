import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSqliteSpool } from '../src/index.js';
import { trackCleanups } from '../src/testing/cleanup.js';
import { counterCliFixture } from './helpers/spawn-cli.js';

const track = trackCleanups();
// By its full address: the command runs in a folder of its own, where `tsx` does not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

// Permissions do not bind root: as root the command runs as `nobody`, as the shipped unit's user would.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

const mapping = (spool: string): string => `source_id: spool-test
sink:
  url: stdout
  buffer: { path: ${spool} }
counter:
  channels: [{ name: a, metric: demo.a }]
`;

/** The counter bridge's command in `dir` (relative spool paths are read from there), to its end. */
function runIn(dir: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, counterCliFixture, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'], ...asUser });
  track.defer(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

/** A folder the command may read but not write, `ro`, in a folder it may read. */
async function readOnlyFolder(): Promise<string> {
  const dir = await track.tempDir('fb-spool-ro-');
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'ro'), { mode: 0o555 });
  return dir;
}

describe('a spool directory the command cannot write', () => {
  it('is refused by --check at sink.buffer.path, saying what to do, and nothing is created', async () => {
    const dir = await readOnlyFolder();
    writeFileSync(join(dir, 'map.yaml'), mapping('./ro/spool'));
    const check = await runIn(dir, ['--config', 'map.yaml', '--check']);
    expect(check.code, check.stderr).toBe(2);
    expect(check.stderr).toMatch(/^map\.yaml:4:19 sink\.buffer\.path: \.\/ro\/spool does not exist and cannot be created there: \S+\/ro is not writable by this user .*; make it writable by the user the bridge runs as/m);
    expect(existsSync(join(dir, 'ro', 'spool'))).toBe(false);
  });

  it('that exists is refused too, and a run stops at the same line before it starts (exit 2, not a restart loop)', async () => {
    const dir = await readOnlyFolder();
    writeFileSync(join(dir, 'map.yaml'), mapping('./ro'));
    const run = await runIn(dir, ['--config', 'map.yaml']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^map\.yaml:4:19 sink\.buffer\.path: the directory \.\/ro is not writable by this user/m);
  });

  it('under /proc (where the kernel answers ENOENT below a directory that exists) a run fails naming the file, line, key and the directory it could not make (it hung in mkdir)', async () => {
    const dir = await track.tempDir('fb-spool-proc-');
    writeFileSync(join(dir, 'map.yaml'), mapping('/proc/fieldbridge-test/spool'));
    // As this user: the check refuses /proc to an unprivileged one before any mkdir, not to root.
    const child = spawn(process.execPath, ['--import', TSX, counterCliFixture, '--config', 'map.yaml'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    track.defer(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(1);
    expect(stderr).toContain("map.yaml:4:19 sink.buffer.path: cannot use spool directory /proc/fieldbridge-test/spool: ENOENT: no such file or directory, mkdir '/proc/fieldbridge-test'");
  });

  it('held by another process: the run fails naming the file, line and key', async () => {
    const dir = await track.tempDir('fb-spool-held-');
    const held = join(dir, 'held');
    track.add(createSqliteSpool({ dir: held, limits: { maxBytes: 1e6, whenFull: 'drop_oldest' } }), (s) => s.close());
    writeFileSync(join(dir, 'map.yaml'), mapping(held));
    const child = spawn(process.execPath, ['--import', TSX, counterCliFixture, '--config', 'map.yaml'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    track.defer(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/"msg":"bridge-counter: map\.yaml:4:19 sink\.buffer\.path: /);
  });
});
