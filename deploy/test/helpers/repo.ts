import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository's root folder (the Docker build context). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** `path` inside the repository. */
export function repoPath(...path: string[]): string {
  return join(REPO, ...path);
}

/** The fields of a package.json these tests read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  bin?: Record<string, string>;
  types?: string;
  exports?: Record<string, Record<string, string>>;
  files?: string[];
  publishConfig?: { access?: string; exports?: Record<string, Record<string, string>> };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A package the project publishes: `packages/<dir>`, not private. */
export interface PublishedPackage {
  dir: string;
  manifest: Manifest;
}

/** Every package under `packages/` that is not private, in folder order. */
export function publishedPackages(): PublishedPackage[] {
  return readdirSync(repoPath('packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ dir: d.name, manifest: JSON.parse(readFileSync(repoPath('packages', d.name, 'package.json'), 'utf8')) as Manifest }))
    .filter((p) => !p.manifest.private);
}

/** Every document of a YAML file (a manifest of several objects), failing on a syntax error. */
export function yamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { prettyErrors: true, merge: true });
  if (!Array.isArray(docs)) return [];
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  });
}

/** The files of `dir` (relative to the repository) ending in `ext`. */
export function filesIn(dir: string, ext: string): string[] {
  return readdirSync(repoPath(dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}
