import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { deadLetterPathOf, sinkOptionsFromConfig, type MultiFileConfig } from '@fieldbridge/core';

/**
 * The dead-letter files the sink of `config` writes, that exist, oldest first: its rotation
 * (`<path>.1`) before the file itself, as `fieldbridge resend` reads them when it is given only
 * the mapping. `path` is the file whether or not it exists (for the message when none does).
 */
export function deadLetterFilesOf(config: MultiFileConfig, cwd: string): { path: string; files: string[] } {
  const path = deadLetterPathOf(sinkOptionsFromConfig(config));
  return { path, files: [`${path}.1`, path].filter((file) => existsSync(resolve(cwd, file))) };
}
