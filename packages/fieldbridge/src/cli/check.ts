import { formatCheck } from '@fieldbridge/core/cli';
import type { Io } from './io.js';
import { filesOf, readFiles } from './read-files.js';

/** `fieldbridge check FILE|DIR...`: validates each file (a directory's mapping files) without connecting and says what it would read. */
export async function checkCommand(given: readonly string[], io: Io): Promise<number> {
  const paths = filesOf('fieldbridge check', given, io);
  if (typeof paths === 'number') return paths;
  const read = await readFiles(paths.files, io);
  if (typeof read === 'number') return read;
  for (const m of read) io.stdout.write(formatCheck(m.definitions, m.file, m.config, io.env));
  return 0;
}
