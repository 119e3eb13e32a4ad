import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('loading the library', () => {
  it('does not load noble until loadNoble() is called', () => {
    // A fresh process, so no other test's imports count.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('@abandonware'));
      const m = await import('./src/index.ts');
      const before = loaded();
      await m.loadNoble({ bindings: new m.SimulatedBindings() });
      process.stdout.write(JSON.stringify({ before, after: loaded() }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, after: true });
  });
});
