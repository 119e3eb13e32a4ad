import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './processes.js';
import { repoPath } from './repo.js';

/** A local stand-in for the place prebuild-install downloads better-sqlite3's binary from. */
export interface PrebuiltMirror {
  /** What the install's environment needs to download from it. */
  env: Record<string, string>;
  /** Requests it answered with the binary. */
  served(): number;
  close(): Promise<void>;
}

/**
 * Serves better-sqlite3's prebuilt binary the way its install script (prebuild-install) asks
 * GitHub's releases for it, made from the one this workspace's install compiled (same version,
 * same Node ABI, same machine). npm on a machine with GitHub in reach downloads it; these machines
 * cannot reach GitHub, so without this each install compiled SQLite from source (about 6 minutes
 * of the suite on two cores), which scripts/setup.sh already does, and tests, for the workspace.
 * Any other file, or another version, gets a 404: prebuild-install then builds from source as
 * before, only slower.
 */
export async function servePrebuilt(): Promise<PrebuiltMirror> {
  const manifest = createRequire(repoPath('packages/core/package.json')).resolve('better-sqlite3/package.json');
  const dir = dirname(manifest);
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const scratch = mkdtempSync(join(tmpdir(), 'fb-prebuilt-'));
  const tarball = join(scratch, name);
  const packed = await run('tar', ['czf', tarball, '-C', dir, 'build/Release/better_sqlite3.node']);
  if (packed.code !== 0) throw new Error(`cannot pack better-sqlite3's binary: ${packed.stderr}`);
  const body = readFileSync(tarball);
  let served = 0;
  const server = createServer((req, res) => {
    if (req.url !== `/v${version}/${name}`) return void res.writeHead(404).end();
    served += 1;
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    env: { npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}` },
    served: () => served,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
