import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { isFieldbridgeError } from '@fieldbridge/core';
import { sectionWarning, unsetVariableWarning } from '@fieldbridge/core/cli';
import { CATALOG, type CatalogEntry } from '../catalog.js';
import { MappingFileError, readMappingFile, type MappingFile } from '../mapping-files.js';
import type { Io } from './io.js';
import { expandMappingPaths, type MappingPaths } from './mapping-paths.js';
import { sharedResourceIssues } from './shared-resources.js';

/**
 * Reads every file given, reporting each one's problems (`file:line:col key: message`) on
 * stderr, and what two of them cannot share (a spool, an observe port; see `sharedResourceIssues`).
 * A file named twice is said as such first. Resolves with the files, or exit code 2 when any is
 * wrong: nothing starts unless all are right.
 */
export async function readFiles(files: readonly string[], io: Io, catalog: readonly CatalogEntry[] = CATALOG): Promise<MappingFile[] | number> {
  const twice = filesGivenTwice(files, io.cwd);
  if (twice.length > 0) {
    for (const line of twice) io.stderr.write(`${line}\n`);
    return 2;
  }
  const read: MappingFile[] = [];
  let wrong = false;
  for (const file of files) {
    try {
      read.push(await readMappingFile(file, io.env, catalog, { onUnsetVariable: unsetVariableWarning(io.stderr), onWarning: sectionWarning(io.stderr) }, io.cwd));
    } catch (err) {
      if (isFieldbridgeError(err, 'CONFIG_INVALID') || isFieldbridgeError(err, 'CONFIG_NOT_FOUND')) {
        io.stderr.write(`${(err as Error).message}\n`);
        wrong = true;
        continue;
      }
      throw err;
    }
  }
  if (wrong) return 2;
  const clashes = sharedResourceIssues(read);
  for (const line of clashes) io.stderr.write(`${line}\n`);
  return clashes.length > 0 ? 2 : read;
}

/**
 * Reads a file of a run again (SIGHUP), with the bridges of the sections it holds now (see
 * `MappingFile.reload`), and checks it against the other files of the run as they are running,
 * as {@link readFiles} did at the start: a spool or observe address another file uses is refused
 * at this file's line, naming the other. Rejects with the message to log (`file:line:col ...`).
 */
export async function rereadFile(file: MappingFile, running: readonly Pick<MappingFile, 'file' | 'config'>[]): Promise<MappingFile> {
  const next = await file.reload();
  const others = running.filter((r) => r.file !== file.file);
  const clashes = sharedResourceIssues([...others, next]);
  if (clashes.length > 0) throw new MappingFileError(clashes.join('\n'));
  return next;
}

/**
 * A file named twice (`site.yaml ./site.yaml`, a glob that takes it again, a link to it): it would
 * be refused as clashing with itself over its own spool and port, which says nothing useful.
 */
function filesGivenTwice(files: readonly string[], cwd = process.cwd()): string[] {
  const seen = new Map<string, string>();
  const lines: string[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // Not there: reading it says so.
    }
    const first = seen.get(real);
    if (first === undefined) seen.set(real, file);
    else lines.push(first === file ? `${file}: given twice: name each mapping file once` : `${file}: the same file as ${first}, given twice: name each mapping file once`);
  }
  return lines;
}

/**
 * The mapping files of a command: the paths given, else `$FIELDBRIDGE_CONFIG`; a directory
 * stands for the mapping files in it (see `expandMappingPaths`). Problems are said on stderr,
 * prefixed with `command`, and give exit code 2.
 */
export function filesOf(command: string, given: readonly string[], io: Io): MappingPaths | number {
  const paths = given.length > 0 ? [...given] : io.env.FIELDBRIDGE_CONFIG ? [io.env.FIELDBRIDGE_CONFIG] : [];
  if (paths.length === 0) {
    io.stderr.write(`${command}: name at least one mapping file or directory (or set FIELDBRIDGE_CONFIG); \`fieldbridge init <bridge>\` writes one\n`);
    return 2;
  }
  const found = expandMappingPaths(paths, io.cwd);
  for (const line of found.problems) io.stderr.write(`${command}: ${line}\n`);
  return found.problems.length > 0 ? 2 : found;
}
