import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modulesLoadedByImport } from '../src/testing/_import-probe.js';
import { trackCleanups } from '../src/testing/cleanup.js';

const track = trackCleanups();

/** Writes `files` (path -> text) under a new temporary folder; resolves with the folder. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await track.tempDir('fb-import-probe-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

// Three real packages: one ES module only, one CommonJS, and a CommonJS one that requires the other.
const PACKAGES = {
  'node_modules/esm-heavy/package.json': JSON.stringify({ name: 'esm-heavy', type: 'module', exports: { '.': { import: './index.js' } } }),
  'node_modules/esm-heavy/index.js': 'export const heavy = true;\n',
  'node_modules/cjs-heavy/package.json': JSON.stringify({ name: 'cjs-heavy', main: 'index.js' }),
  'node_modules/cjs-heavy/index.js': 'module.exports = { heavy: true };\n',
  'node_modules/cjs-wrapper/package.json': JSON.stringify({ name: 'cjs-wrapper', main: 'index.js' }),
  'node_modules/cjs-wrapper/index.js': "module.exports = require('cjs-heavy');\n",
};
const MODULES = ['esm-heavy', 'cjs-heavy', 'never-installed'];

describe('modulesLoadedByImport (the conformance suite\'s lazy-loading check)', () => {
  it('sees an ES-module-only library imported at load', async () => {
    const dir = await tree({ ...PACKAGES, 'eager.js': "export { heavy } from 'esm-heavy';\n", 'package.json': '{"type":"module"}' });
    expect(modulesLoadedByImport({ cwd: dir, entry: pathToFileURL(join(dir, 'eager.js')).href, modules: MODULES })).toEqual(['esm-heavy']);
  });

  it('sees a CommonJS library that another CommonJS package requires', async () => {
    const dir = await tree({ ...PACKAGES, 'eager.js': "import wrapped from 'cjs-wrapper';\nexport const w = wrapped;\n", 'package.json': '{"type":"module"}' });
    expect(modulesLoadedByImport({ cwd: dir, entry: pathToFileURL(join(dir, 'eager.js')).href, modules: MODULES })).toEqual(['cjs-heavy']);
  });

  it('finds nothing when the libraries load only in start()', async () => {
    const dir = await tree({ ...PACKAGES, 'lazy.js': "export const start = () => Promise.all([import('esm-heavy'), import('cjs-wrapper')]);\n", 'package.json': '{"type":"module"}' });
    expect(modulesLoadedByImport({ cwd: dir, entry: pathToFileURL(join(dir, 'lazy.js')).href, modules: MODULES })).toEqual([]);
  });

  it('says why when the entry does not import (not built yet)', async () => {
    const dir = await tree({ 'package.json': '{"type":"module"}' });
    expect(() => modulesLoadedByImport({ cwd: dir, entry: pathToFileURL(join(dir, 'dist/index.js')).href, modules: MODULES })).toThrow(/importing .*dist\/index\.js failed .*ERR_MODULE_NOT_FOUND/s);
  });
});
