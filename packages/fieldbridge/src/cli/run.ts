import { createLogger, createRuleExchange, type MultiFileConfig } from '@fieldbridge/core';
import { checkRunOptions, commandLogger, holdHangups, serveMapping, type CliOptions, type HangupHold, type RunOptions } from '@fieldbridge/core/cli';
import type { Io } from './io.js';
import { filesAddedSince } from './mapping-paths.js';
import { filesOf, readFiles, rereadFile } from './read-files.js';
import { answerSignals } from './run-signals.js';

/**
 * `fieldbridge run FILE|DIR...` (a directory: the mapping files in it): every file is checked first; then each runs in this process with
 * its own sink, spool and observe server, every bridge section of a file sharing that file's.
 * SIGHUP reads every file again, as at the start: with the bridges of the sections it holds then,
 * and checked against the other files as they are running. A rule that lists `sources:` also
 * reads the points the other files' sinks took (its events go to its own file's sink). When one
 * stops with an error the others are stopped too. Resolves with the worst exit code.
 */
export async function runCommand(given: readonly string[], parsed: CliOptions, io: Io): Promise<number> {
  // A SIGHUP before the services answer it is counted, and each reloads once it runs.
  const hangups = holdHangups();
  try {
    return await runPaths(given, parsed, io, hangups);
  } finally {
    hangups.release();
  }
}

async function runPaths(given: readonly string[], parsed: CliOptions, io: Io, hangups: HangupHold): Promise<number> {
  const options = checkRunOptions(parsed);
  if (typeof options === 'string') {
    io.stderr.write(`fieldbridge run: ${options}\n`);
    return 2;
  }
  const paths = filesOf('fieldbridge run', given, io);
  if (typeof paths === 'number') return paths;
  const siblings = new AbortController();
  let logger: ReturnType<typeof createLogger> | undefined;
  const getLogger = () => (logger ??= createLogger({ name: 'fieldbridge', level: (options.logLevel ?? 'info') as 'info', stderr: io.stderr }));
  const unanswer = answerSignals({
    stop: (signal) => {
      if (!siblings.signal.aborted) siblings.abort(signal);
    },
    logger: getLogger,
  });
  // A directory is read at the start: a reload reads its files again, and says what is new in it.
  const onHup = (): void => {
    const added = filesAddedSince(paths.dirs, paths.files, io.cwd);
    if (added.length > 0) getLogger().warn({ added }, `SIGHUP: ${added.join(', ')} ${added.length === 1 ? 'is' : 'are'} new since the start, and not run: a reload reads again the files a run started with; restart to run new ones`);
  };
  if (paths.dirs.length > 0) process.on('SIGHUP', onHup);
  try {
    return await runFiles(paths.files, options, io, siblings, hangups);
  } finally {
    process.off('SIGHUP', onHup);
    unanswer();
  }
}

/** Reads the files and runs each, until all have stopped; `siblings` stops them all. */
async function runFiles(files: readonly string[], options: RunOptions, io: Io, siblings: AbortController, hangups: HangupHold): Promise<number> {
  // A SIGHUP from here on asks for files newer than those read below.
  const readAt = hangups.count();
  const read = await readFiles(files, io);
  if (typeof read === 'number') return read;
  // Stopped (a signal) while the files were read: nothing has started.
  if (siblings.signal.aborted) return 0;
  // What each file runs now, for the checks of a reload against the others.
  const running = read.map((m) => ({ file: m.file, config: m.config }));
  // The others stop as soon as one file fails, their stop line saying which and why.
  const stopSiblings = (file: string, why: string): void => {
    if (!siblings.signal.aborted) siblings.abort(`${file} failed (${why})`);
  };
  // Several files: a rule that lists `sources:` reads the sources the other files read too.
  const ruleExchange = read.length > 1 ? createRuleExchange() : undefined;
  const codes = await Promise.all(
    read.map(async (m, i) => {
      const logger = commandLogger('fieldbridge', options, m.config, io.stderr).child(read.length > 1 ? { file: m.file } : {});
      const onFailure = (why: string): void => stopSiblings(m.file, why);
      const load = () => rereadFile(m, running);
      const onReloaded = ({ config }: { config: MultiFileConfig }): void => {
        running[i] = { file: m.file, config };
      };
      const code = await serveMapping({
        command: 'fieldbridge', file: m.file, definitions: m.definitions, config: m.config, load, onReloaded, reloadAsked: () => hangups.count() > readAt, options, logger, io,
        signal: siblings.signal, onFailure, ...(ruleExchange ? { ruleExchange } : {}),
      });
      if (code !== 0) stopSiblings(m.file, `exit ${code}`);
      return code;
    }),
  );
  return Math.max(...codes);
}
