import { formatCheck } from '@fieldbridge/core/cli';
import type { Io } from './io.js';
import { sayNames } from './mapping-paths.js';
import { filesOf, readFiles } from './read-files.js';

/** `fieldbridge check FILE|DIR...`: validates each file (a directory's mapping files) without connecting and says what it would read. */
export async function checkCommand(given: readonly string[], io: Io): Promise<number> {
  const paths = filesOf('fieldbridge check', given, io);
  if (typeof paths === 'number') return paths;
  // A file the user meant as a mapping but named otherwise would be passed by without a word.
  for (const { dir, names } of paths.leftOut) io.stderr.write(`${dir}: left out ${sayNames(names)}: only *.yaml and *.yml files are mapping files\n`);
  const read = await readFiles(paths.files, io);
  if (typeof read === 'number') return read;
  for (const m of read) io.stdout.write(formatCheck(m.definitions, m.file, m.config, io.env));
  return 0;
}
