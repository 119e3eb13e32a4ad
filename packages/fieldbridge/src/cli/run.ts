import { createRuleExchange } from '@fieldbridge/core';
import { checkRunOptions, commandLogger, serveMapping, type CliOptions } from '@fieldbridge/core/cli';
import type { Io } from './io.js';
import { filesOf, readFiles } from './read-files.js';

/**
 * `fieldbridge run FILE...`: every file is checked first; then each runs in this process with
 * its own sink, spool and observe server, every bridge section of a file sharing that file's.
 * A rule that lists `sources:` also reads the points the other files' sinks took (its events go
 * to its own file's sink). When one stops with an error the others are stopped too. Resolves
 * with the worst exit code.
 */
export async function runCommand(given: readonly string[], parsed: CliOptions, io: Io): Promise<number> {
  const options = checkRunOptions(parsed);
  if (typeof options === 'string') {
    io.stderr.write(`fieldbridge run: ${options}\n`);
    return 2;
  }
  const files = filesOf(given, io);
  if (files.length === 0) {
    io.stderr.write('fieldbridge run: name at least one mapping file (or set FIELDBRIDGE_CONFIG); `fieldbridge init <bridge>` writes one\n');
    return 2;
  }
  const read = await readFiles(files, io);
  if (typeof read === 'number') return read;
  const siblings = new AbortController();
  // Several files: a rule that lists `sources:` reads the sources the other files read too.
  const ruleExchange = read.length > 1 ? createRuleExchange() : undefined;
  const codes = await Promise.all(
    read.map(async (m) => {
      const logger = commandLogger('fieldbridge', options, m.config, io.stderr).child(read.length > 1 ? { file: m.file } : {});
      const code = await serveMapping({ command: 'fieldbridge', definitions: m.definitions, config: m.config, load: m.load, options, logger, io, signal: siblings.signal, ...(ruleExchange ? { ruleExchange } : {}) });
      if (code !== 0) siblings.abort();
      return code;
    }),
  );
  return Math.max(...codes);
}
