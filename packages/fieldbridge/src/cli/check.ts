import { formatCheck } from '@fieldbridge/core/cli';
import type { Io } from './io.js';
import { filesOf, readFiles } from './read-files.js';

/** `fieldbridge check FILE...`: validates each file without connecting and says what it would read. */
export async function checkCommand(given: readonly string[], io: Io): Promise<number> {
  const files = filesOf(given, io);
  if (files.length === 0) {
    io.stderr.write('fieldbridge check: name at least one mapping file (or set FIELDBRIDGE_CONFIG)\n');
    return 2;
  }
  const read = await readFiles(files, io);
  if (typeof read === 'number') return read;
  for (const m of read) io.stdout.write(formatCheck(m.definitions, m.file, m.config, io.env));
  return 0;
}
