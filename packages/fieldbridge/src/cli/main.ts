import { readFileSync } from 'node:fs';
import { LOG_LEVELS } from '@fieldbridge/core';
import { Command, CommanderError, Option } from 'commander';
import { CATALOG } from '../catalog.js';
import { bridgesCommand } from './bridges.js';
import { checkCommand } from './check.js';
import { allowReaderToLeave } from './closed-reader.js';
import { initCommand } from './init.js';
import type { Io } from './io.js';
import { resendCommand } from './resend.js';
import type { ResendFlags } from './resend-options.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The `fieldbridge` command. Resolves with the exit code: 0 clean, 1 runtime failure, 2 usage
 * or configuration error.
 */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let code = 0;
  allowReaderToLeave(io.stdout);
  const program = new Command('fieldbridge')
    .description(`Industrial and vehicle protocols into telemetry points, delivered without loss. One mapping file may hold several bridges' sections (${CATALOG.map((e) => e.name).join(', ')}, or an installed @fieldbridge/bridge-<name> or fieldbridge-bridge-<name> package).`)
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', '\nExit codes: 0 clean, 1 runtime failure, 2 usage or configuration error.\nEach bridge also has its own command (bridge-modbus, bridge-mqtt, ...).');

  program
    .command('run')
    .description('run mapping files until Ctrl-C: every bridge section of a file on one sink, spool and observe server')
    .argument('[files...]', 'mapping files (YAML), or directories whose *.yaml and *.yml files are run; default $FIELDBRIDGE_CONFIG')
    .option('--dry-run', 'read the sources and print decoded points as NDJSON on stdout, sending nothing')
    .option('--once', 'one poll cycle (or until each channel delivered), flush, and exit')
    .option('--once-timeout <duration>', "with --once: longest wait for a push source (e.g. 30s; default: the bridge's own, 10s unless its --help says otherwise)")
    .option('--session <name>', 'tag every point with session_id NAME from the start')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS))
    .addHelpText('after', '\nSignals: SIGINT/SIGTERM drain and exit (with --once too: the cycle ends, what it read is delivered); SIGHUP reloads the mapping files (new files in a directory need a restart).\nLogs go to stderr: JSON lines, readable lines on a terminal; stdout carries only data (--dry-run).')
    .action(async (files: string[], options: Record<string, unknown>) => {
      code = await runCommand(files, options, io);
    });

  program
    .command('check')
    .description('validate mapping files without connecting, and print what they would read and where it would go')
    .argument('[files...]', 'mapping files, or directories of them; default $FIELDBRIDGE_CONFIG')
    .action(async (files: string[]) => {
      code = await checkCommand(files, io);
    });

  program
    .command('schema')
    .description('print the JSON Schema of a mapping file (for an editor), for one bridge or for files holding several')
    .argument('[bridges...]', `bridges (${CATALOG.map((e) => e.name).join(', ')}, or an installed third-party one); default every installed one`)
    .action(async (names: string[]) => {
      code = await schemaCommand(names, io);
    });

  program
    .command('init')
    .description('print (or write) a commented starter mapping file that passes `fieldbridge check`')
    .argument('<bridges...>', `one or more of ${CATALOG.map((e) => e.name).join(', ')}, or an installed third-party bridge`)
    .option('-o, --out <file>', 'write the file instead of printing it (a folder: a new file in it, named after its source_id)')
    .option('--force', 'with --out: replace an existing file')
    .action(async (names: string[], options: { out?: string; force?: boolean }) => {
      code = await initCommand(names, options, io);
    });

  program
    .command('bridges')
    .description('list the bridges: installed with their versions, or the package to install; then the third-party bridge packages installed here')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      code = await bridgesCommand(io, !!options.json);
    });

  program
    .command('resend')
    .description('send the points of dead-letter files again, through the sink of a mapping file; the files are read, never changed')
    .argument('[files...]', "dead-letter files (NDJSON), e.g. <buffer.path>/dead-letter.ndjson and its rotation dead-letter.ndjson.1; default those the mapping's sink writes")
    .option('-c, --config <file>', 'the mapping file whose sink: sends them (receiver, key, TLS, retry); default $FIELDBRIDGE_CONFIG')
    .option('--reason <regex>', "send only records whose reason matches, e.g. 'HTTP 5' for what the receiver could not store then")
    .option('--dry-run', 'count what would be sent, by reason and by source, and send nothing')
    .option('--timeout <duration>', "how long to wait for delivery (e.g. 2m); default the mapping's sink.shutdown_timeout_ms (8s)")
    .option('--refused-to <file>', 'where points refused again go; default <first file>.refused.ndjson')
    .addOption(new Option('--log-level <level>', 'log level of the sink (default warn)').choices(LOG_LEVELS))
    .addHelpText('after', '\nExit codes: 0 every selected point was sent, 1 some were refused again, left undelivered or skipped, 2 usage or configuration error.')
    .action(async (files: string[], options: ResendFlags) => {
      code = await resendCommand(files, options, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.stderr.write(`fieldbridge: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
  if (argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  return code;
}
