// The packages as users get them, and the image as the Dockerfile makes it, on a machine with no
// Docker engine: the Dockerfile's own RUN lines pack every package and install the `fieldbridge`
// image's tarballs (every bridge) with npm into a folder standing for /app; then the tests start
// the image's ENTRYPOINT as its USER, with a mapping mounted read-only and the spool on the
// folder standing for the volume, and stop it as `docker stop` does.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { CATALOG } from 'fieldbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@fieldbridge/core/testing';
import { buildImageHere, exists, type ImageHere } from './helpers/installed-image.js';
import { logLines, run, start, type Started } from './helpers/processes.js';
import { rewritePaths } from './helpers/image-paths.js';
import { publishedPackages, REPO, repoPath, yamlDocuments, type Manifest } from './helpers/repo.js';

const asRoot = process.getuid?.() === 0;
/** What `docker stop` waits after SIGTERM before it sends SIGKILL. */
const DOCKER_STOP_TIMEOUT_MS = 10_000;
const packages = publishedPackages();
let image: ImageHere;

/** Bridges whose package does not yet export `<name>Bridge` (a first phase): no command to run yet. */
const withoutDefinition = new Set<string>();
for (const entry of CATALOG) {
  const mod = (await import(entry.package)) as Record<string, unknown>;
  if (!mod[`${entry.name}Bridge`]) withoutDefinition.add(entry.name);
}
/** The catalog bridge a package is, when it is one without a definition yet. */
const phaseOne = (name: string) => CATALOG.find((e) => e.package === name && withoutDefinition.has(e.name));

beforeAll(async () => {
  image = await buildImageHere('fieldbridge');
  // The development ingest service too, so that every published package is installed.
  const extra = await run('/bin/sh', [repoPath('deploy/image/install.sh'), 'gateway-dev', image.paths['/packs']!, image.paths['/app']!], { env: { ...process.env, npm_config_nodedir: '/usr' } });
  if (extra.code !== 0) throw new Error(`install.sh gateway-dev: ${extra.stderr.slice(-2000)}`);
}, 600_000);

afterAll(async () => {
  if (image) await rm(image.root, { recursive: true, force: true });
});

const installed = (name: string) => join(image.paths['/app']!, 'node_modules', name);
const manifestOf = (name: string) => JSON.parse(readFileSync(join(installed(name), 'package.json'), 'utf8')) as Manifest;
const bin = (name: string) => join(image.paths['/app']!, 'node_modules', '.bin', name);

describe('pnpm pack: every package as it is published', () => {
  it('holds only built files: dist without source maps, the bins, and the files its manifest names', async () => {
    const tarballs = readdirSync(image.paths['/packs']!);
    expect(tarballs).toHaveLength(packages.length);
    for (const pkg of packages) {
      const tarball = tarballs.find((t) => t.startsWith(`${pkg.manifest.name.replace('@', '').replace('/', '-')}-${pkg.manifest.version}`));
      expect(tarball, pkg.manifest.name).toBeDefined();
      const listed = await run('tar', ['tzf', join(image.paths['/packs']!, tarball!)]);
      const files = listed.stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
      const allowed = (f: string) =>
        ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f) ||
        (f.startsWith('dist/') && !f.endsWith('.map')) ||
        pkg.manifest.files!.some((entry) => !entry.startsWith('!') && entry !== 'dist' && (f === entry || f.startsWith(`${entry}/`)));
      expect(files.filter((f) => !allowed(f)), pkg.manifest.name).toEqual([]);
      expect(files.filter((f) => /(^|\/)(src|test)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), pkg.manifest.name).toEqual([]);
      expect(files, pkg.manifest.name).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md']));
    }
  });

  it('publishes manifests a registry takes: no workspace: ranges, no source condition, engines, types, license, repository', () => {
    for (const pkg of packages) {
      const m = manifestOf(pkg.manifest.name);
      const text = JSON.stringify(m);
      expect(text, pkg.manifest.name).not.toContain('workspace:');
      expect(JSON.stringify(m.exports), pkg.manifest.name).not.toContain('source');
      expect(m.engines?.node, pkg.manifest.name).toBe('>=20.10');
      expect(m.license).toBe('Apache-2.0');
      expect(m.repository).toEqual({ type: 'git', url: 'git+https://github.com/fieldbridge/fieldbridge.git', directory: `packages/${pkg.dir}` });
      expect(exists(join(installed(pkg.manifest.name), m.types!)), `${pkg.manifest.name} types`).toBe(true);
      for (const [subpath, conditions] of Object.entries(m.exports!)) {
        for (const target of Object.values(conditions)) expect(exists(join(installed(pkg.manifest.name), target)), `${pkg.manifest.name} ${subpath} -> ${target}`).toBe(true);
      }
    }
  });
});

describe('npm install of the tarballs, outside the workspace', () => {
  it('keeps the heavy protocol libraries to the packages that need them, and dev tools out', () => {
    const core = manifestOf('@fieldbridge/core');
    for (const heavy of ['mqtt', 'modbus-serial', 'node-opcua', 'socketcan', 'node-mavlink', '@abandonware/noble', 'serialport']) {
      expect(Object.keys(core.dependencies ?? {}), heavy).not.toContain(heavy);
    }
    for (const dev of ['vitest', 'typescript', 'tsx', 'turbo', 'aedes', 'playwright-core']) {
      expect(exists(installed(dev)), `${dev} is installed in production`).toBe(false);
    }
  });

  // A bridge in its first phase (the protocol layer only, no definition) ships no command yet: skipped, by name.
  for (const pkg of packages) {
    const name = pkg.manifest.name;
    it.skipIf(phaseOne(name) !== undefined)(`${name}: every bin answers --version with the package's version`, async () => {
      const bins = Object.keys(manifestOf(name).bin ?? {});
      for (const b of bins) {
        const ran = await run(bin(b), ['--version'], { env: image.env });
        expect({ bin: b, code: ran.code, out: ran.stdout.trim() }).toEqual({ bin: b, code: 0, out: pkg.manifest.version });
      }
    });
  }

  it('checks each example mapping with its bridge\'s command (--check) and with `fieldbridge check`', async () => {
    // The CAN example replays a log its simulator writes (examples/can/README.md).
    const log = join(image.root, 'drive.log');
    const sim = await run(bin('bridge-can-sim'), ['--duration', '1', '--out', log], { env: image.env });
    expect(sim.code).toBe(0);
    const env = { ...image.env, CAN_INTERFACE: `file:${log}` };
    const examples: string[] = [];
    for (const entry of CATALOG) {
      const file = repoPath('examples', entry.name, 'map.yaml');
      if (withoutDefinition.has(entry.name) || !exists(file)) continue;
      examples.push(file);
      const ran = await run(bin(`bridge-${entry.name}`), ['--config', file, '--check'], { env, cwd: REPO });
      expect({ bridge: entry.name, code: ran.code, err: ran.stderr }).toEqual({ bridge: entry.name, code: 0, err: '' });
      expect(ran.stdout).toContain(`${file}: ok`);
    }
    expect(examples.length).toBeGreaterThanOrEqual(5);
    // Each example listens on an observe port of its own, so they check together as they are.
    const together = await run(bin('fieldbridge'), ['check', ...examples], { env, cwd: REPO });
    expect({ code: together.code, err: together.stderr }).toEqual({ code: 0, err: '' });
    // Given one address, the check names the clash.
    const clash = await run(bin('fieldbridge'), ['check', ...examples], { env: { ...env, OBSERVE_LISTEN: '127.0.0.1:9464' }, cwd: REPO });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/observe\.listen: 127\.0\.0\.1:9464: .* listens there too/);
  });

  it('imports every library entry as ESM', async () => {
    const entries = packages.flatMap((p) =>
      Object.keys(manifestOf(p.manifest.name).exports ?? {})
        // The testing kits import vitest, an optional peer a user of them has; this project does not install it.
        .filter((subpath) => subpath !== './testing')
        .map((subpath) => `${p.manifest.name}${subpath.slice(1)}`),
    );
    const script = `const names = ${JSON.stringify(entries)};\nfor (const name of names) {\n  const mod = await import(name);\n  if (Object.keys(mod).length === 0) throw new Error(name + ' exports nothing');\n}\nconsole.log(names.length);`;
    writeFileSync(join(image.paths['/app']!, 'import-all.mjs'), script);
    const ran = await run('node', ['import-all.mjs'], { cwd: image.paths['/app']!, env: image.env });
    expect({ code: ran.code, err: ran.stderr, out: ran.stdout.trim() }).toEqual({ code: 0, err: '', out: String(entries.length) });
  });

  it('resolves the types of every library entry under tsc (NodeNext, strict)', async () => {
    const app = image.paths['/app']!;
    const lines = ['type IsAny<T> = 0 extends 1 & T ? true : false;'];
    packages.forEach((p, i) => {
      lines.push(`import * as m${i} from '${p.manifest.name}';`, `export const notAny${i}: IsAny<typeof m${i}> = false;`);
    });
    lines.push(`import type { BridgeDefinition } from '@fieldbridge/core';`);
    for (const entry of CATALOG.filter((e) => !withoutDefinition.has(e.name))) {
      lines.push(`import { ${entry.name}Bridge } from '${entry.package}';`, `export const ${entry.name}: BridgeDefinition = ${entry.name}Bridge;`);
    }
    writeFileSync(join(app, 'types-check.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'], typeRoots: [repoPath('node_modules/@types')], skipLibCheck: true },
        files: ['types-check.ts'],
      }),
    );
    const tsc = await run('node', [repoPath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app });
    expect({ code: tsc.code, out: tsc.stdout }).toEqual({ code: 0, out: '' });
  });
});

describe.skipIf(!asRoot)('the image, started here as the Dockerfile starts it', () => {
  let gateway: Gateway;
  let sim: Started;
  let simPort: number;
  let config: string;

  beforeAll(async () => {
    gateway = await createGateway({ apiKeys: ['dev-key'], live: false });
    sim = start(bin('bridge-modbus-sim'), ['--host', '127.0.0.1', '--port', '0'], { env: image.env });
    const url = await until(() => /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(sim.stdout()), 'the Modbus simulator to print its URL');
    simPort = Number(url![1]);
    // The mapping the Compose file mounts read-only at FIELDBRIDGE_CONFIG, its volume path mapped here.
    config = image.env.FIELDBRIDGE_CONFIG!;
    mkdirSync(image.paths['/etc/fieldbridge']!, { recursive: true });
    writeFileSync(config, rewritePaths(readFileSync(repoPath('deploy/compose/modbus/map.yaml'), 'utf8'), image.paths));
    chmodSync(config, 0o444);
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    await gateway?.close();
  });

  /** The environment the Compose service gives, pointed at this test's peers, observe on a port the OS picks. */
  function serviceEnv(): Record<string, string> {
    const compose = yamlDocuments(repoPath('deploy/compose/modbus/compose.yaml'))[0] as { services: Record<string, { environment: Record<string, string> }> };
    return {
      ...image.env,
      ...compose.services['bridge-modbus']!.environment,
      FIELDBRIDGE_SINK_URL: gateway.url,
      MODBUS_HOST: '127.0.0.1',
      MODBUS_PORT: String(simPort),
      OBSERVE_LISTEN: '127.0.0.1:0',
    };
  }

  /** The ENTRYPOINT as the image's USER, in its WORKDIR; resolves once the observe server is up. */
  async function startImage(): Promise<{ process: Started; observe: string }> {
    const process = start(image.entrypoint[0]!, image.entrypoint.slice(1), { env: serviceEnv(), cwd: image.workdir, uid: image.user.uid, gid: image.user.gid });
    const observe = await until<string | undefined>(
      () => {
        if (process.stderr().length > 0 && !process.stderr().includes('{')) throw new Error(`the image's command failed: ${process.stderr()}`);
        return logLines(process.stderr()).find((l) => typeof l.url === 'string' && l.msg?.startsWith('health and metrics on'))?.url as string | undefined;
      },
      'the bridge to serve /healthz',
    );
    return { process, observe: observe! };
  }

  /** The HEALTHCHECK command as Docker runs it in the container. */
  function healthcheck(port: string) {
    return run(image.healthcheck[0]!, image.healthcheck.slice(1), { env: { ...image.env, FIELDBRIDGE_OBSERVE_PORT: port }, cwd: image.workdir, uid: image.user.uid, gid: image.user.gid });
  }

  it('finds after the build every path the runtime stage copies from the build stage', () => {
    expect(image.copiedFromBuild.length).toBeGreaterThan(0);
    for (const path of image.copiedFromBuild) expect(exists(path), path).toBe(true);
    expect(exists(image.entrypoint[0]!)).toBe(true);
    expect(exists(image.healthcheck[1]!)).toBe(true);
    expect(image.user.uid).toBeGreaterThan(0);
    // npm took better-sqlite3's prebuilt binary as it does with GitHub in reach, not a build from source.
    expect(image.prebuiltDownloads).toBe(1);
  });

  it('runs bridge-modbus as the unprivileged user: /healthz, /readyz, the HEALTHCHECK, points delivered, the spool on the volume', async () => {
    const { process, observe } = await startImage();
    try {
      expect((await fetch(`${observe}/healthz`)).status).toBe(200);
      await until(async () => (await fetch(`${observe}/readyz`)).status === 200, 'the bridge to be ready');
      await until(() => gateway.points({ metric: 'press1.flow' }).length > 0, 'points at the gateway');
      const port = new URL(observe).port;
      const healthy = await healthcheck(port);
      expect({ code: healthy.code, err: healthy.stderr }).toEqual({ code: 0, err: '' });
      const spool = join(image.paths['/var/lib/fieldbridge']!, 'spool');
      expect(statSync(spool).uid).toBe(image.user.uid);
      expect(readdirSync(spool).length).toBeGreaterThan(0);
      // The mapping stays the operator's: the bridge could not have changed it.
      expect(statSync(config).mode & 0o222).toBe(0);
    } finally {
      await process.stop();
    }
  });

  it('drains on SIGTERM and exits 0 before docker stop would kill it, also with the ingest service failing; the spool keeps the rest for the next start', async () => {
    gateway.reset();
    const first = await startImage();
    await until(() => gateway.points({ metric: 'press1.flow' }).length > 0, 'points at the gateway');
    gateway.setFaults({ status: 503 });
    const failing = async () => /fieldbridge_send_errors_total\{status="503"\} [1-9]/.test(await (await fetch(`${first.observe}/metrics`)).text());
    await until(failing, 'sends refused with 503');
    const stoppedAt = Date.now();
    // docker stop: SIGTERM, then SIGKILL once the stop timeout has passed.
    first.process.kill('SIGTERM');
    const killer = setTimeout(() => first.process.kill('SIGKILL'), DOCKER_STOP_TIMEOUT_MS);
    const ended = await first.process.exited;
    clearTimeout(killer);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(logLines(first.process.stderr()).some((l) => /kept in the spool/.test(l.msg ?? ''))).toBe(true);
    const port = new URL(first.observe).port;
    const unhealthy = await healthcheck(port);
    expect(unhealthy.code).toBe(1);
    expect(unhealthy.stderr).toContain(`port ${port}`);

    gateway.setFaults(undefined);
    const second = await startImage();
    try {
      await until(() => gateway.points({ metric: 'press1.flow' }).some((p) => (p.timestamp ?? 0) < stoppedAt && p.received_at_ms > stoppedAt), 'the points spooled before the stop, delivered by the next start');
    } finally {
      await second.process.stop();
    }
  });
});
