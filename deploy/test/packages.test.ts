// The package manifests as written (the packed ones are checked by image.test.ts): what a
// registry shows and what a user's tools read must be there, and the published exports must
// follow the workspace's.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { publishedPackages, repoPath, type Manifest } from './helpers/repo.js';

const root = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as Manifest;
const license = readFileSync(repoPath('LICENSE'), 'utf8');

describe.each(publishedPackages().map((p) => [p.manifest.name, p] as const))('%s', (_name, { dir, manifest: m }) => {
  it('says what it is, under which license, where its source is, and which Node it needs', () => {
    expect(m.description?.length).toBeGreaterThan(20);
    expect(m.license).toBe(root.license);
    expect(readFileSync(repoPath('packages', dir, 'LICENSE'), 'utf8')).toBe(license);
    expect(readFileSync(repoPath('packages', dir, 'README.md'), 'utf8').length).toBeGreaterThan(200);
    expect(m.repository).toEqual({ type: 'git', url: 'git+https://github.com/fieldbridge/fieldbridge.git', directory: `packages/${dir}` });
    expect(m.engines).toEqual(root.engines);
    expect(m.type).toBe('module');
  });

  it('publishes its built files only, with the exports of the workspace less the source condition', () => {
    expect(m.files![0]).toBe('dist');
    expect(m.files).toContain('!dist/**/*.map');
    expect(m.files!.some((f) => /^(src|test)\b/.test(f))).toBe(false);
    const published = Object.fromEntries(Object.entries(m.exports!).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([c]) => c !== 'source'))]));
    expect(m.publishConfig).toEqual({ access: 'public', exports: published });
    expect(m.types).toBe(published['.']!.types);
    for (const target of Object.values(m.bin ?? {})) expect(m.files).toContain(target.replace(/^\.\//, ''));
  });

  // require() of an ES module: Node 20.19 and later (before, import() is the way, as the README says).
  it.skipIf(!(process.features as { require_module?: boolean }).require_module)('loads from CommonJS too: require() of each export gives its module', () => {
    for (const subpath of Object.keys(m.exports!)) {
      const specifier = `${m.name}${subpath.slice(1)}`;
      const script = `const loaded = require(${JSON.stringify(specifier)}); process.stdout.write(String(Object.keys(loaded).length))`;
      const run = spawnSync(process.execPath, ['-e', script], { cwd: repoPath('packages', dir), encoding: 'utf8' });
      expect(run.stderr, specifier).toBe('');
      expect(Number(run.stdout), specifier).toBeGreaterThan(0);
    }
  });

  it('depends on its siblings by workspace range, so the published range follows their versions', () => {
    for (const [name, range] of Object.entries({ ...m.dependencies, ...m.devDependencies })) {
      if (name.startsWith('@fieldbridge/') || name === 'fieldbridge') expect(range, name).toBe('workspace:^');
    }
  });
});

describe('what the built files import', () => {
  /** Bare specifiers of static imports and string dynamic imports in a built file. */
  const importsOf = (text: string) =>
    [
      ...text.matchAll(
        // import ... from 'x'; import('x'); import 'x'; createRequire(...)('x'); require('x'); require.resolve('x')
        /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]|createRequire\([^)]*\)\(\s*['"]([^'"]+)['"]|\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]/gm,
      ),
    ]
      .map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5])!)
      .filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
  const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const builtins = new Set(builtinModules);

  it.each(publishedPackages().map((p) => [p.manifest.name, p] as const))('%s declares every package its dist imports', (_name, { dir, manifest: m }) => {
    const declared = new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
    const missing = new Set<string>();
    const files = readdirSync(repoPath('packages', dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const specifier of importsOf(readFileSync(repoPath('packages', dir, 'dist', file), 'utf8'))) {
        const name = packageName(specifier);
        if (!builtins.has(name) && !declared.has(name)) missing.add(`${name} (dist/${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  // The tarballs leave maps out (`!dist/**/*.map`), so a comment pointing at one would send
  // debuggers and bundlers (source-map-loader) after a file that is not there.
  it.each(publishedPackages().map((p) => [p.manifest.name, p] as const))('%s points at no source map from its built files', (_name, { dir }) => {
    const built = readdirSync(repoPath('packages', dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));
    expect(built.length).toBeGreaterThan(0);
    expect(built.filter((f) => readFileSync(repoPath('packages', dir, 'dist', f), 'utf8').includes('//# sourceMappingURL='))).toEqual([]);
  });
});
