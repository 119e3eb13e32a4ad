import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Runs in node's module-hooks thread: every URL the ES module loader resolves is appended to the
// file named at registration (a file, since the hooks thread cannot answer the main one synchronously).
const HOOK = `import { appendFileSync } from 'node:fs';
let record;
export function initialize(file) { record = file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(record, result.url + '\\n');
  return result;
}
`;

/** What importing a package loads. */
export interface ImportProbe {
  /** Where `entry` is imported from: its package folder, so bare names resolve as the package's would. */
  cwd: string;
  /** A URL (`file:///.../dist/index.js`) or a package name. */
  entry: string;
  /** Package names (`mqtt`, `@serialport/bindings-cpp`) to look for. */
  modules: readonly string[];
}

/**
 * The packages of `modules` that `import(entry)` loads, seen in a fresh node process: every URL
 * the ES module loader resolves (recorded by a `module.register` resolve hook, so an ESM-only
 * library is seen) and every file in the CommonJS `require` cache (what a CommonJS package
 * requires, which that hook does not see). Throws with the child's stderr when the import fails.
 */
export function modulesLoadedByImport(probe: ImportProbe): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fieldbridge-import-probe-'));
  try {
    const record = join(dir, 'resolved.txt');
    const hook = join(dir, 'hook.mjs');
    const register = join(dir, 'register.mjs');
    writeFileSync(record, '');
    writeFileSync(hook, HOOK);
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)}, { data: ${JSON.stringify(record)} });\n`);
    const script = `import { createRequire } from 'node:module';
await import(${JSON.stringify(probe.entry)});
console.log(JSON.stringify(Object.keys(createRequire(process.cwd() + '/').cache)));`;
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, '--input-type=module', '-e', script], { cwd: probe.cwd, encoding: 'utf8' });
    if (run.status !== 0 || run.stderr !== '') throw new Error(`importing ${probe.entry} failed (exit ${run.status}): ${run.stderr || run.error?.message}`);
    const required = JSON.parse(run.stdout) as string[];
    const resolved = readFileSync(record, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    const loaded = [...required, ...resolved];
    return probe.modules.filter((m) => loaded.some((p) => p.includes(`/node_modules/${m}/`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
