import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@fieldbridge/core';
import { validate } from 'dockerfile-utils';
import { CATALOG } from 'fieldbridge';
import { describe, expect, it } from 'vitest';
import { copyPaths, execForm, flags, instructionsOf, readDockerfile, stageEnv, substitute } from './helpers/dockerfile.js';
import { run } from './helpers/processes.js';
import { repoPath } from './helpers/repo.js';

const dockerfile = readDockerfile();
const [build, runtime] = dockerfile.stages;
// CommonJS whose declarations say `export default`: under NodeNext the default import is the
// module itself, which at run time is the factory.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;
/** What `docker stop` (and Compose) waits after SIGTERM before it kills, by default. */
const DOCKER_STOP_TIMEOUT_MS = 10_000;
/** Every value the BRIDGE build argument takes: the bridges, the umbrella command, the dev ingest service. */
const BRIDGE_VALUES = [...CATALOG.map((e) => e.name), 'fieldbridge', 'gateway-dev'];

describe('the Dockerfile', () => {
  it('passes the Dockerfile linter (dockerfile-utils, the VS Code Docker extension\'s rules) with nothing to say', () => {
    expect(validate(dockerfile.text, {})).toEqual([]);
  });

  it('has two stages on one small Node 20 base, so native modules built in the first run on the libc of the second', () => {
    expect(dockerfile.stages).toHaveLength(2);
    expect(build!.name).toBe('build');
    expect(runtime!.from).toBe(build!.from);
    expect(substitute(build!.from, dockerfile.globalArgs)).toMatch(/^node:20-[a-z]+-slim$/);
  });

  it('runs as a numeric unprivileged user, keeps its data on a volume and checks its health on /healthz', () => {
    const user = instructionsOf(runtime!, 'USER').at(-1)!.getArgumentsContent()!;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const volume = JSON.parse(instructionsOf(runtime!, 'VOLUME')[0]!.getArgumentsContent()!) as string[];
    expect(volume).toEqual(['/var/lib/fieldbridge']);
    expect(instructionsOf(runtime!, 'WORKDIR').at(-1)!.getArgumentsContent()).toBe('/var/lib/fieldbridge');
    const [healthcheck] = instructionsOf(runtime!, 'HEALTHCHECK');
    expect(execForm(healthcheck!)).toEqual(['node', '/app/healthcheck.mjs']);
    // While starting, checked every 2 s (Docker 25+): `depends_on: service_healthy` waits seconds, not the 30 s interval.
    expect(flags(healthcheck!)).toMatchObject({ interval: '30s', 'start-period': '20s', 'start-interval': '2s' });
    expect(readFileSync(repoPath('deploy/image/healthcheck.mjs'), 'utf8')).toContain('/healthz');
    expect(instructionsOf(runtime!, 'EXPOSE')[0]!.getArgumentsContent()).toBe(stageEnv(runtime!, {}).FIELDBRIDGE_OBSERVE_PORT);
  });

  it('sets the runtime environment: production, the mapping path, and the semi-space size the outage benchmark measured', () => {
    const env = stageEnv(runtime!, { BRIDGE: 'mqtt' }, { PATH: '/usr/local/bin:/usr/bin:/bin' });
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      NODE_OPTIONS: '--max-semi-space-size=4',
      FIELDBRIDGE_BRIDGE: 'mqtt',
      FIELDBRIDGE_CONFIG: '/etc/fieldbridge/map.yaml',
      PATH: '/app/node_modules/.bin:/usr/local/bin:/usr/bin:/bin',
    });
    expect(readFileSync(repoPath('bench/results/outage-hour.md'), 'utf8')).toContain('max-semi-space-size');
  });

  it('stops with SIGTERM, and the default shutdown_timeout_ms leaves the bridge time to stop inside docker stop\'s 10 s', () => {
    expect(instructionsOf(runtime!, 'STOPSIGNAL')[0]!.getArgumentsContent()).toBe('SIGTERM');
    expect(DEFAULT_SHUTDOWN_TIMEOUT_MS).toBeLessThanOrEqual(DOCKER_STOP_TIMEOUT_MS - 2_000);
    expect(execForm(instructionsOf(runtime!, 'ENTRYPOINT')[0]!)).toEqual(['/app/entrypoint.sh']);
    // exec: node replaces the shell as PID 1 and receives the signal itself, in every branch
    // (a branch that holds a nested case is not one).
    const lines = readFileSync(repoPath('deploy/image/entrypoint.sh'), 'utf8').split('\n');
    const branches = lines.filter((l, i) => /^\s+[^#\n]*\)(\s|$)/.test(l) && !/^\s*case\s/.test(lines[i + 1] ?? ''));
    expect(branches.length).toBeGreaterThanOrEqual(5);
    for (const branch of branches) expect(branch).toMatch(/\)\s+(shift;\s+)?exec\s/);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const ignore = dockerignore({ ignorecase: false }).add(readFileSync(repoPath('.dockerignore'), 'utf8'));
    const copies = dockerfile.stages.flatMap((s) => instructionsOf(s, 'COPY')).filter((c) => flags(c).from === undefined);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      for (const source of copyPaths(copy).sources) {
        expect(existsSync(repoPath(source)), `COPY ${source}`).toBe(true);
        if (source !== '.') expect(ignore.ignores(source), `COPY ${source} is excluded by .dockerignore`).toBe(false);
      }
    }
    // The context leaves out what the build makes again, and what would leak a developer's state.
    for (const path of ['node_modules/x', 'packages/core/node_modules/x', 'packages/core/dist/index.js', '.git/HEAD', 'packages/core/.turbo/x', 'fieldbridge-buffer/spool.db']) {
      expect(ignore.ignores(path), path).toBe(true);
    }
    for (const path of ['pnpm-lock.yaml', 'packages/core/src/index.ts', 'deploy/image/install.sh', 'packages/bridge-can/dbc/vehicle.dbc']) {
      expect(ignore.ignores(path), path).toBe(false);
    }
  });

  it('installs with the npm major this machine has, so the test of its install steps is the build\'s', async () => {
    const pinned = /(?<!p)npm@(\d+)\.\d+\.\d+/.exec(dockerfile.text)?.[1];
    const here = (await run('npm', ['--version'])).stdout.trim().split('.')[0];
    expect(pinned).toBeDefined();
    expect(here).toBe(pinned);
  });

  it('takes the BRIDGE values the install and entry scripts know, and nothing else', () => {
    const install = readFileSync(repoPath('deploy/image/install.sh'), 'utf8');
    const named = [...install.matchAll(/^\s+([a-z-]+(?:\s*\|\s*[a-z-]+)*)\)/gm)].flatMap((m) => m[1]!.split('|').map((s) => s.trim()));
    expect(named.sort()).toEqual([...BRIDGE_VALUES].sort());
    for (const value of BRIDGE_VALUES) expect(install).toContain(value);
  });

  it('the fieldbridge image runs `fieldbridge run`, or the fieldbridge command its arguments name; --check is `fieldbridge check`', async () => {
    // What the entry script execs, seen through a `fieldbridge` on PATH that prints its arguments.
    const bin = mkdtempSync(join(tmpdir(), 'fb-entry-'));
    try {
      writeFileSync(join(bin, 'fieldbridge'), '#!/bin/sh\necho "$*"\n', { mode: 0o755 });
      const entry = async (...args: string[]) => {
        const ran = await run('sh', [repoPath('deploy/image/entrypoint.sh'), ...args], { env: { PATH: `${bin}:/usr/bin:/bin`, FIELDBRIDGE_BRIDGE: 'fieldbridge' } });
        return ran.stdout.trim();
      };
      expect(await entry()).toBe('run');
      expect(await entry('--dry-run')).toBe('run --dry-run');
      expect(await entry('--check')).toBe('check');
      expect(await entry('check', 'a.yaml')).toBe('check a.yaml');
      expect(await entry('bridges')).toBe('bridges');
      expect(await entry('--version')).toBe('--version');
      // Every command `fieldbridge --help` lists reaches fieldbridge as that command, not as `run <command>`.
      const help = await run(process.execPath, [repoPath('packages/fieldbridge/bin.js'), '--help']);
      const commands = [...help.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
      expect(commands).toEqual(expect.arrayContaining(['run', 'check', 'resend']));
      for (const command of commands) expect(await entry(command, 'x'), command).toBe(`${command} x`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
