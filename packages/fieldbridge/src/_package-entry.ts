import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The conditions node applies to a dynamic import of a package (no --conditions): the entry a bridge package
// publishes for ES module consumers.
const CONDITIONS = new Set(['node', 'import', 'default']);

/**
 * The file a package's root resolves to for `import`, read from its `package.json` the way node
 * does: `exports` (a string, `{ ".": ... }`, nested conditions, arrays), else `main`, else
 * `index.js`. Undefined when the package exports no root.
 */
export function packageRootEntry(dir: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown; main?: unknown };
  if (manifest.exports === undefined) return join(dir, typeof manifest.main === 'string' ? manifest.main : 'index.js');
  const exports = manifest.exports;
  const root = isRecord(exports) && Object.keys(exports).some((k) => k.startsWith('.')) ? exports['.'] : exports;
  const target = pick(root);
  return target === undefined ? undefined : join(dir, target);
}

function pick(value: unknown): string | undefined {
  if (typeof value === 'string') return value.startsWith('./') ? value : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = pick(v);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  for (const [condition, v] of Object.entries(value)) if (CONDITIONS.has(condition)) return pick(v);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
