import { parseMapping, type FileConfig } from '@fieldbridge/core';
import { loadBridge } from 'fieldbridge';
import { publishedPackages, repoPath } from './repo.js';

/** Image paths under /app that point into an installed package, mapped to the workspace package. */
export function installedPackagePaths(): Record<string, string> {
  return Object.fromEntries(publishedPackages().map((p) => [`/app/node_modules/${p.manifest.name}`, repoPath('packages', p.dir)]));
}

/**
 * Validates a container's mapping text with bridge `bridge`'s real definition, the way the
 * command would at start (`${VAR}` from `env`, files that must exist checked): throws the
 * loader's `file:line:col key: message` on a problem.
 */
export async function loadMappingFor(bridge: string, text: string, file: string, env: Record<string, string>): Promise<FileConfig> {
  const definition = await loadBridge(bridge);
  if (!definition) throw new Error(`no bridge ${bridge}`);
  return parseMapping(text, file, definition, env) as FileConfig;
}

/** The port of an `observe.listen` (`0.0.0.0:9464` -> 9464). */
export function listenPort(listen: string | undefined): number | undefined {
  return listen === undefined ? undefined : Number(listen.slice(listen.lastIndexOf(':') + 1));
}
