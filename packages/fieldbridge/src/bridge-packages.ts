import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A section key a third-party bridge may have: snake_case, so that `<name>Bridge` is an identifier and the name a package name part. */
export const BRIDGE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The packages that may provide bridge `name` outside the catalog, in the order they are tried:
 * `@fieldbridge/bridge-<name>`, then `fieldbridge-bridge-<name>`. Empty for a name that is not
 * a bridge name ({@link BRIDGE_NAME_PATTERN}), so a key never becomes a path.
 */
export function bridgePackageNames(name: string): string[] {
  return BRIDGE_NAME_PATTERN.test(name) ? [`@fieldbridge/bridge-${name}`, `fieldbridge-bridge-${name}`] : [];
}

/** An installed bridge package found on disk. */
export interface FoundBridgePackage {
  /** The bridge's name (the section key). */
  name: string;
  /** The npm package name. */
  package: string;
  /** Its folder (`.../node_modules/<package>`). */
  dir: string;
  /** The `description` of its package.json. */
  description: string;
}

/**
 * Where the command looks for bridge packages: each folder given (the mapping file's, the working
 * directory), then the command's own installation (a global install finds bridges installed
 * beside it). Node's own rule applies from each: `node_modules` of the folder and of every parent.
 */
export function searchDirs(...first: (string | undefined)[]): string[] {
  const own = fileURLToPath(new URL('..', import.meta.url));
  return [...new Set([...first.filter((d): d is string => d !== undefined).map((d) => resolve(d)), own])];
}

/** The `node_modules` folders node would search from `dir`: its own and every parent's. */
function nodeModulesOf(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (!d.endsWith('/node_modules')) out.push(join(d, 'node_modules'));
    if (dirname(d) === d) return out;
  }
}

/** The first installed package of bridge `name` seen from `dirs`, in their order; undefined when none is. */
export function findBridgePackage(name: string, dirs: readonly string[]): FoundBridgePackage | undefined {
  const packages = bridgePackageNames(name);
  for (const dir of dirs) {
    for (const modules of nodeModulesOf(dir)) {
      for (const pkg of packages) {
        const found = read(name, pkg, join(modules, pkg));
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * Every bridge package installed where `dirs` see (`@fieldbridge/bridge-*`, `fieldbridge-bridge-*`),
 * each name once (the first found wins). A directory listing per `node_modules`: nothing is imported.
 */
export function discoverBridgePackages(dirs: readonly string[]): FoundBridgePackage[] {
  const out = new Map<string, FoundBridgePackage>();
  for (const dir of dirs) {
    for (const modules of nodeModulesOf(dir)) {
      const candidates = [...list(join(modules, '@fieldbridge')).map((e) => `@fieldbridge/${e}`), ...list(modules)];
      for (const pkg of candidates) {
        const name = /^(?:@fieldbridge\/bridge-|fieldbridge-bridge-)(.+)$/.exec(pkg)?.[1];
        if (name === undefined || !BRIDGE_NAME_PATTERN.test(name) || out.has(name)) continue;
        const found = read(name, pkg, join(modules, pkg));
        if (found) out.set(name, found);
      }
    }
  }
  return [...out.values()];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // No such folder: nothing installed there.
  }
}

function read(name: string, pkg: string, dir: string): FoundBridgePackage | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  let description = '';
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { description?: unknown };
    if (typeof parsed.description === 'string') description = parsed.description.slice(0, 200);
  } catch {
    description = '(its package.json does not parse)';
  }
  return { name, package: pkg, dir, description };
}
