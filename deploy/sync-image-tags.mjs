// Image references in the deployment files carry the version of the package the image installs
// (fieldbridge/bridge-modbus:0.1.0 installs @fieldbridge/bridge-modbus 0.1.0). After `changeset
// version` this brings them up to date; `--check` only reports the ones behind (exit 1).
//   node deploy/sync-image-tags.mjs [--check]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');

/** Image name (after `fieldbridge/`) -> version, from every published package. */
function versions() {
  const out = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (!pkg.private) out[pkg.name.replace('@fieldbridge/', '')] = pkg.version;
  }
  return out;
}

/** The files that name images: the deployment folder's YAML, the Dockerfile and the docs. */
function files() {
  const inDir = (dir, ext) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext) && !f.includes('node_modules')).map((f) => join(root, dir, f));
  return [...inDir('deploy', '.yaml'), ...inDir('docs', '.md'), join(root, 'Dockerfile')];
}

const known = versions();
const behind = [];
for (const file of files()) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(/\bfieldbridge\/([a-z][a-z-]*):(\d+\.\d+\.\d+(?:-[\w.]+)?)/g, (whole, name, version) => {
    const current = known[name];
    if (!current || current === version) return whole;
    behind.push(`${relative(root, file)}: fieldbridge/${name}:${version} (package ${current})`);
    return `fieldbridge/${name}:${current}`;
  });
  if (!check && next !== text) writeFileSync(file, next);
}
if (behind.length > 0) process.stderr.write(`${check ? 'behind' : 'updated'}:\n  ${behind.join('\n  ')}\n`);
if (check && behind.length > 0) {
  process.stderr.write('run: node deploy/sync-image-tags.mjs\n');
  process.exitCode = 1;
}
