// Releasing: `pnpm changeset version` (as `pnpm version-packages` runs it) on the repository as it
// is, in a scratch copy, and the image tags following the new versions.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/processes.js';
import { publishedPackages, REPO, repoPath } from './helpers/repo.js';

let copy: string;

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'fieldbridge-release-'));
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(REPO, file), join(copy, file));
    } catch (err) {
      // A file git lists but the working tree deleted: the copy is the working tree.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  // changesets resolves its changelog module from the repository's node_modules; nothing installs here.
  symlinkSync(repoPath('node_modules'), join(copy, 'node_modules'));
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'copy']]) {
    const git = await run('git', args, { cwd: copy });
    if (git.code !== 0) throw new Error(`git ${args.join(' ')}: ${git.stderr}`);
  }
}, 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('changeset version', () => {
  it('bumps every package with a pending changeset, writes its changelog, and the image tags follow', async () => {
    const pending = (await run('git', ['ls-files', '.changeset/*.md'], { cwd: copy })).stdout.split('\n').filter((f) => f && !f.endsWith('README.md'));
    expect(pending.length).toBeGreaterThan(0);
    const version = await run('node', [repoPath('node_modules/@changesets/cli/bin.js'), 'version'], { cwd: copy });
    expect({ code: version.code, err: version.stderr }).toMatchObject({ code: 0 });
    let bumped = 0;
    for (const pkg of publishedPackages()) {
      const after = JSON.parse(readFileSync(join(copy, 'packages', pkg.dir, 'package.json'), 'utf8')) as { version: string };
      if (after.version === pkg.manifest.version) continue;
      bumped++;
      expect(readFileSync(join(copy, 'packages', pkg.dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${after.version}`);
    }
    expect(bumped).toBeGreaterThan(0);
    expect((await run('git', ['ls-files', '--deleted', '.changeset'], { cwd: copy })).stdout.split('\n').filter(Boolean).length).toBe(pending.length);

    const behind = await run('node', ['deploy/sync-image-tags.mjs', '--check'], { cwd: copy });
    expect(behind.code).toBe(1);
    const synced = await run('node', ['deploy/sync-image-tags.mjs'], { cwd: copy });
    expect(synced.code).toBe(0);
    expect((await run('node', ['deploy/sync-image-tags.mjs', '--check'], { cwd: copy })).code).toBe(0);
  });
});

describe('the image tags in this repository', () => {
  it('name the version of the package each image installs', async () => {
    const check = await run('node', ['deploy/sync-image-tags.mjs', '--check'], { cwd: REPO });
    expect({ code: check.code, err: check.stderr }).toEqual({ code: 0, err: '' });
  });
});
