import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The folders of src/ from the ground up. A folder may import only from folders listed before
// it: shared contracts live below the code that uses them, never beside their first user.
const LAYERS = ['point', 'errors', 'shared', 'clock', 'rules', 'config', 'control', 'spool', 'transport', 'ws', 'sink', 'observe', 'bridge', 'runtime', 'cli', 'testing'];

const src = new URL('../src/', import.meta.url).pathname;

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function layerOf(path: string): string {
  const first = path.slice(src.length).split('/')[0]!;
  return first.replace(/\.ts$/, '');
}

describe('core folders read downhill', () => {
  it('no folder imports one above it', () => {
    const upward: string[] = [];
    for (const file of filesOf(src)) {
      const from = layerOf(file);
      // Entry points (index.ts, kit.ts) only re-export.
      if (from === 'index' || from === 'kit') continue;
      const level = LAYERS.indexOf(from);
      expect(level, `${file} is in a folder missing from LAYERS`).toBeGreaterThanOrEqual(0);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)) {
        const target = layerOf(join(file, '..', spec!));
        if (LAYERS.indexOf(target) > level) upward.push(`${file.slice(src.length)} imports ${spec}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
