import { Command, CommanderError, Option } from 'commander';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { LOG_LEVELS } from '../config/common-schema.js';

/** Parsed command line of a bridge. */
export interface CliOptions {
  config?: string;
  check?: boolean;
  dryRun?: boolean;
  once?: boolean;
  /** `--once-timeout`: how long `--once` waits for a push source, as given (`30s`, `5000`). */
  onceTimeout?: string;
  logLevel?: string;
  /** `--session NAME`: tag every point with this session from the start. */
  session?: string;
  /** The bridge's own options, by commander's camelCase names. */
  [key: string]: unknown;
}

/** Streams the command line writes to. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Parses argv with the options every bridge shares plus the bridge's own. Returns the options,
 * or the exit code when parsing ended the run (0 after --help/--version, 2 for a usage error).
 */
export function parseCliArgs(definition: BridgeDefinition, argv: string[], io: CliIo): CliOptions | number {
  const program = new Command(`bridge-${definition.name}`)
    .description(`Reads ${definition.reads ?? definition.name} into metric points and delivers them to a Plexus-compatible ingest service.`)
    .version(definition.version, '-V, --version')
    .option('-c, --config <file>', 'mapping file (YAML); default $FIELDBRIDGE_CONFIG')
    .option('--check', 'validate the mapping file and print what would be read, without connecting')
    .option('--dry-run', 'connect to the source and print decoded points as NDJSON on stdout, sending nothing')
    .option('--once', 'run one poll cycle (or until each channel delivered), flush, and exit')
    .option('--once-timeout <duration>', `with --once: longest wait for every channel of a push source (e.g. 30s; default ${definition.onceTimeoutText ?? '10s'})`)
    .option('--session <name>', 'start a session: tag every point with session_id NAME (over WebSocket the server is told)')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS))
    .addHelpText(
      'after',
      '\nExit codes: 0 clean, 1 runtime failure, 2 usage or configuration error.\n' +
        'Signals: SIGINT/SIGTERM drain and exit; SIGHUP reloads the mapping file.\n' +
        'Logs go to stderr: JSON lines, readable lines on a terminal; stdout carries only data (stdout sink, --dry-run).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const option of definition.cli?.options ?? []) program.option(option.flags, option.description);
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return program.opts<CliOptions>();
}

/**
 * The first of the bridge's inspecting options (`BridgeCliOption.inspects`) the command
 * line gave, as its long flag (`--browse`), or undefined.
 */
export function inspectingFlag(definition: BridgeDefinition, parsed: CliOptions): string | undefined {
  for (const spec of definition.cli?.options ?? []) {
    if (!spec.inspects) continue;
    const option = new Option(spec.flags);
    if (parsed[option.attributeName()] !== undefined) return option.long;
  }
  return undefined;
}
