import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A name a directory's mapping file has: `.yaml` or `.yml` (any case), not hidden (an editor's `.#site.yaml`). */
const MAPPING_NAME = /^[^.].*\.ya?ml$/i;

/** The mapping files named by a command's paths. */
export interface MappingPaths {
  /** Every file, in the order given; a directory's in name order where it was given. */
  files: string[];
  /** The directories given, as given. */
  dirs: string[];
  /** What cannot be used (a directory with no mapping file in it), one line each. */
  problems: string[];
  /** Per directory given, the files in it that are not read (`README.md`, `site.yaml.bak`), when there are some. */
  leftOut: { dir: string; names: string[] }[];
}

/** How many left-out names a line says before `and N more`. */
const NAMES_SAID = 5;

/**
 * `names` for a line, at most {@link NAMES_SAID} of them: a folder of backups stays one line.
 */
export function sayNames(names: readonly string[]): string {
  const said = names.slice(0, NAMES_SAID).join(', ');
  return names.length > NAMES_SAID ? `${said} and ${names.length - NAMES_SAID} more` : said;
}

/**
 * The mapping files that `paths` name, as Telegraf's `--config-directory` and a `conf.d` folder
 * do: a file as given (one that does not exist is left for reading to report), a directory as
 * the `.yaml` and `.yml` files directly in it (`.YAML` too), in name order. A directory with none is a problem.
 */
export function expandMappingPaths(paths: readonly string[], cwd = process.cwd()): MappingPaths {
  const out: MappingPaths = { files: [], dirs: [], problems: [], leftOut: [] };
  for (const path of paths) {
    if (!isDirectory(resolve(cwd, path))) {
      out.files.push(path);
      continue;
    }
    out.dirs.push(path);
    const inside = mappingFilesIn(path, cwd);
    const others = otherFilesIn(path, cwd);
    if (others.length > 0) out.leftOut.push({ dir: path, names: others });
    if (inside.length === 0) {
      // A file named site.yaml.txt or site.conf is the usual reason: name what is there.
      const holds = others.length > 0 ? `; it holds ${sayNames(others)}: a mapping file's name ends in .yaml or .yml` : '';
      out.problems.push(`${path}: a directory with no mapping file (*.yaml, *.yml) in it${holds}`);
    }
    out.files.push(...inside);
  }
  return out;
}

/**
 * The mapping files in `dirs` now that are not among `files` (those a run started with): a reload
 * reads the files it runs again, it does not start new ones.
 */
export function filesAddedSince(dirs: readonly string[], files: readonly string[], cwd = process.cwd()): string[] {
  const known = new Set(files.map((f) => resolve(cwd, f)));
  return dirs.flatMap((dir) => mappingFilesIn(dir, cwd)).filter((f) => !known.has(resolve(cwd, f)));
}

/** The mapping files directly in `dir` (joined to it), in name order; none when it cannot be read. */
export function mappingFilesIn(dir: string, cwd = process.cwd()): string[] {
  let names: string[];
  try {
    names = readdirSync(resolve(cwd, dir));
  } catch {
    return []; // Gone or unreadable since: nothing to run from it.
  }
  return names
    .filter((name) => MAPPING_NAME.test(name) && !isDirectory(resolve(cwd, dir, name)))
    .sort()
    .map((name) => join(dir, name));
}

/** The files directly in `dir` that are not mapping files, hidden ones (`.#site.yaml`, `.swp`) and folders aside, in name order. */
function otherFilesIn(dir: string, cwd: string): string[] {
  let names: string[];
  try {
    names = readdirSync(resolve(cwd, dir));
  } catch {
    return [];
  }
  return names.filter((name) => !name.startsWith('.') && !MAPPING_NAME.test(name) && !isDirectory(resolve(cwd, dir, name))).sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
