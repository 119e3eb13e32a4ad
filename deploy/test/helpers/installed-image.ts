import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { copyPaths, flags, instructionsOf, readDockerfile, stageEnv, type Stage } from './dockerfile.js';
import { imagePaths, rewritePaths } from './image-paths.js';
import { servePrebuilt } from './prebuilt-mirror.js';
import { run } from './processes.js';
import { REPO } from './repo.js';

/** The user the image runs as (`USER` in the Dockerfile): numbers, as Kubernetes wants them. */
export interface ImageUser {
  uid: number;
  gid: number;
}

/** The image's runtime, laid out on this machine by {@link buildImageHere}. */
export interface ImageHere {
  /** Image path -> folder here (`/app` -> `<root>/app`). */
  paths: Record<string, string>;
  root: string;
  /** The runtime stage's environment, paths rewritten. */
  env: Record<string, string>;
  user: ImageUser;
  /** WORKDIR, rewritten. */
  workdir: string;
  /** ENTRYPOINT and HEALTHCHECK in exec form, rewritten. */
  entrypoint: string[];
  healthcheck: string[];
  /** The COPY --from=build sources, rewritten, for the "exists after the build" check. */
  copiedFromBuild: string[];
  /** The runtime stage. */
  stage: Stage;
  /** How many times the install downloaded better-sqlite3's prebuilt binary (from {@link servePrebuilt}). */
  prebuiltDownloads: number;
}

/**
 * RUN lines of the build stage this test does not repeat: the toolchain and pnpm the machine
 * already has (scripts/setup.sh), and installing and building the workspace this test runs in,
 * which turbo built before the tests (`test` depends on `^build`).
 */
const DONE_BY_THE_WORKSPACE = [/apt-get install/, /npm install -g pnpm/, /^pnpm fetch$/, /pnpm install .*&& pnpm build/];

/**
 * Builds the image "here": runs the Dockerfile's remaining RUN lines of both stages and its
 * COPYs, with every image path mapped to a folder under a fresh temp folder, for build argument
 * BRIDGE=`bridge`. The build stage's `pnpm pack` and `install.sh` run exactly as written: every
 * package packed, the command's tarballs installed with npm from the registry (or npm's cache),
 * better-sqlite3's prebuilt binary from {@link servePrebuilt} (GitHub, where npm gets it, is out of reach here).
 */
export async function buildImageHere(bridge: string): Promise<ImageHere> {
  const dockerfile = readDockerfile();
  const [build, runtime] = dockerfile.stages as [Stage, Stage];
  const root = mkdtempSync(join(tmpdir(), 'fieldbridge-image-'));
  // Every folder on the way to the app must be passable for the image's unprivileged user.
  chmodSync(root, 0o755);
  const paths = imagePaths(root);
  const args = { BRIDGE: bridge };
  // The node image keeps Node's headers under /usr/local; this machine under /usr (ENVIRONMENT.md).
  // better-sqlite3's prebuilt binary, which npm downloads from GitHub where it can (see servePrebuilt).
  const mirror = await servePrebuilt();
  const buildEnv = { ...stageEnv(build, args, process.env as Record<string, string>), npm_config_nodedir: '/usr', ...mirror.env, ...args };
  try {
    for (const instruction of instructionsOf(build, 'RUN')) {
      const script = instruction.getArgumentsContent() ?? '';
      if (DONE_BY_THE_WORKSPACE.some((done) => done.test(script.replace(/\s+/g, ' ').trim()))) continue;
      await runStep(rewritePaths(script, paths), buildEnv, REPO);
    }
    for (const instruction of instructionsOf(runtime, 'RUN')) {
      await runStep(rewritePaths(instruction.getArgumentsContent() ?? '', paths), buildEnv, REPO);
    }
  } finally {
    await mirror.close();
  }
  const copiedFromBuild: string[] = [];
  for (const copy of instructionsOf(runtime, 'COPY')) {
    const { sources, destination } = copyPaths(copy);
    if (flags(copy).from === 'build') {
      // The build stage's folders are this test's folders already: COPY --from=build is the identity.
      copiedFromBuild.push(...sources.map((s) => rewritePaths(s, paths)));
      continue;
    }
    const target = rewritePaths(destination, paths);
    mkdirSync(target, { recursive: true });
    for (const source of sources) copyFileSync(join(REPO, source), join(target, basename(source)));
  }
  const [uid = NaN, gid = NaN] = (instructionsOf(runtime, 'USER').at(-1)?.getArgumentsContent() ?? '').split(':').map(Number);
  const exec = (keyword: string) => {
    const content = (instructionsOf(runtime, keyword)[0]?.getArgumentsContent() ?? '').replace(/^CMD\s+/, '');
    return (JSON.parse(content) as string[]).map((s) => rewritePaths(s, paths));
  };
  const env = Object.fromEntries(Object.entries(stageEnv(runtime, args, { PATH: process.env.PATH ?? '/usr/bin:/bin' })).map(([k, v]) => [k, rewritePaths(v, paths)]));
  return {
    paths,
    root,
    env,
    user: { uid, gid },
    workdir: rewritePaths(instructionsOf(runtime, 'WORKDIR').at(-1)?.getArgumentsContent() ?? '/', paths),
    entrypoint: exec('ENTRYPOINT'),
    healthcheck: exec('HEALTHCHECK'),
    copiedFromBuild,
    stage: runtime,
    prebuiltDownloads: mirror.served(),
  };
}

async function runStep(script: string, env: Record<string, string>, cwd: string): Promise<void> {
  const ran = await run('/bin/sh', ['-c', script], { env, cwd });
  if (ran.code !== 0) throw new Error(`RUN ${script}\nexited ${ran.code}:\n${(ran.stderr || ran.stdout).slice(-3000)}`);
}

/** True when `path` exists. */
export const exists = (path: string) => existsSync(path);
