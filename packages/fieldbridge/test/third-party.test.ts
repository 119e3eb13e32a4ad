import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';

// A bridge package nobody in this repository wrote, installed the way npm would install it: a
// folder in node_modules with its package.json and an ES module built on the kit.
const track = trackCleanups();
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const CORE = fileURLToPath(new URL('../../core', import.meta.url));

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build` (turbo runs it before test)');
});

const TALLY = `import { defineBridge } from '@fieldbridge/core/bridge';
import { z } from 'zod';
export const tallyBridge = defineBridge({
  name: 'tally',
  version: '1.2.3',
  configSchema: z.strictObject({ counter: z.string(), value: z.number().default(1) }),
  describe: (s) => [\`\${s.counter}: one point of \${s.value}\`],
  starter: () => 'tally:\\n  # What to count.\\n  counter: visits\\n',
  create: (s, ctx) => ({
    async start() {
      const channel = ctx.channel(s.counter);
      channel.set('connected');
      ctx.emit(channel, [{ metric: \`tally.\${s.counter}\`, value: s.value }]);
    },
    async stop() {},
  }),
});
`;

/** A folder where `@fieldbridge/bridge-tally` and `fieldbridge-bridge-broken` (no bridge export) are installed. */
async function project(): Promise<string> {
  const dir = await track.tempDir('fb-third-party-');
  const modules = join(dir, 'node_modules');
  await mkdir(join(modules, '@fieldbridge', 'bridge-tally'), { recursive: true });
  await mkdir(join(modules, 'fieldbridge-bridge-broken'), { recursive: true });
  await symlink(CORE, join(modules, '@fieldbridge', 'core'));
  await symlink(await realpath(join(CORE, 'node_modules', 'zod')), join(modules, 'zod'));
  const tally = join(modules, '@fieldbridge', 'bridge-tally');
  await writeFile(join(tally, 'package.json'), JSON.stringify({ name: '@fieldbridge/bridge-tally', version: '1.2.3', description: 'Counts things', type: 'module', exports: { '.': { import: './index.js' } } }));
  await writeFile(join(tally, 'index.js'), TALLY);
  const broken = join(modules, 'fieldbridge-bridge-broken');
  await writeFile(join(broken, 'package.json'), JSON.stringify({ name: 'fieldbridge-bridge-broken', version: '0.0.1', type: 'module', main: 'index.js' }));
  await writeFile(join(broken, 'index.js'), 'export const somethingElse = 1;\n');
  return dir;
}

/**
 * `fieldbridge ARGS` as its own process in `cwd`, as a user runs it: the bridge package is imported
 * by node from the built command, exactly as after `npm install`.
 */
async function fieldbridge(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  track.add(child, (c) => void (c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, out, err };
}

describe('a third-party bridge installed as a package', () => {
  it('check reads its section, found from the mapping file\'s folder', async () => {
    const dir = await project();
    const file = join(dir, 'site.yaml');
    await writeFile(file, 'source_id: site\nsink: { url: stdout }\ntally:\n  counter: visits\n');
    const { code, out, err } = await fieldbridge(['check', file], '/');
    expect(code, err).toBe(0);
    expect(out).toContain('\ntally:\n');
    expect(out).toContain('visits: one point of 1');
  });

  it('schema and init know it; what init writes passes check; bridges lists it', async () => {
    const dir = await project();
    const schema = await fieldbridge(['schema', 'tally'], dir);
    expect(schema.code, schema.err).toBe(0);
    expect((JSON.parse(schema.out) as { properties: Record<string, unknown> }).properties.tally).toBeDefined();
    const file = join(dir, 'tally.yaml');
    const init = await fieldbridge(['init', 'tally', '--out', file], dir);
    expect(init.code, init.err).toBe(0);
    const check = await fieldbridge(['check', file], dir);
    expect(check.code, check.err).toBe(0);
    const rows = JSON.parse((await fieldbridge(['bridges', '--json'], dir)).out) as { name: string }[];
    expect(rows).toContainEqual({ name: 'tally', package: '@fieldbridge/bridge-tally', installed: true, version: '1.2.3', thirdParty: true });
    expect(rows.find((r) => r.name === 'broken')).toMatchObject({ installed: false, problem: expect.stringContaining('does not export brokenBridge') });
  });

  it('a section with no package is an unknown key at its line; a package that is no bridge is refused at its line', async () => {
    const dir = await project();
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'source_id: site\ntally:\n  counter: visits\nbroken:\n  x: 1\n');
    const wrong = await fieldbridge(['check', file], dir);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain(`${file}:4:1 broken: fieldbridge-bridge-broken does not export brokenBridge`);
    await writeFile(file, 'source_id: site\ntally:\n  counter: visits\nlineproto:\n  x: 1\n');
    const unknown = await fieldbridge(['check', file], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(`${file}:4:1 lineproto: unknown key`);
    const named = await fieldbridge(['schema', 'lineproto'], dir);
    expect(named.code).toBe(2);
    expect(named.err).toContain('no bridge "lineproto"');
    expect(named.err).toContain('@fieldbridge/bridge-lineproto or fieldbridge-bridge-lineproto');
  });

  it('run starts it from the folder where it is installed', async () => {
    const dir = await project();
    await writeFile(join(dir, 'site.yaml'), 'source_id: site\nsink: { url: stdout }\ntally:\n  counter: visits\n  value: 7\n');
    const { code, out, err } = await fieldbridge(['run', 'site.yaml', '--dry-run', '--once'], dir);
    expect(code, err).toBe(0);
    const points = out.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown });
    expect(points).toContainEqual(expect.objectContaining({ metric: 'tally.visits', value: 7 }));
  });
});
