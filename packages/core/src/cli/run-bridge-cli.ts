import type { FileConfig } from '../config/file-schema.js';
import { loadMapping } from '../config/load-mapping.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { holdHangups, type HangupHold } from './hangup-hold.js';
import { checkRunOptions } from './run-options.js';
import { inspectingFlag, parseCliArgs, type CliIo } from './parse-args.js';
import { formatCheck } from './print-check.js';
import { commandLogger, failed, loadForCommand, sectionWarning, serveMapping, unsetVariableWarning } from './run-mapping.js';

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/**
 * The command line every bridge shares (DESIGN section 6). Resolves with the exit code:
 * 0 clean, 1 runtime failure, 2 usage or configuration error (the message names
 * `file:line:col` and the key). A bridge's `cli.ts` is a call to this.
 */
export async function runBridgeCli(definition: BridgeDefinition, argv: string[], io: CliIo = defaultIo): Promise<number> {
  const hangups = holdHangups();
  try {
    return await runCommand(definition, argv, io, hangups);
  } finally {
    hangups.release();
  }
}

async function runCommand(definition: BridgeDefinition, argv: string[], io: CliIo, hangups: HangupHold): Promise<number> {
  const parsed = parseCliArgs(definition, argv, io);
  if (typeof parsed === 'number') return parsed;
  const command = `bridge-${definition.name}`;
  const options = checkRunOptions(parsed);
  if (typeof options === 'string') {
    io.stderr.write(`${command}: ${options}\n`);
    return 2;
  }
  const file = parsed.config ?? io.env.FIELDBRIDGE_CONFIG;
  if (!file) {
    io.stderr.write(`${command}: --config FILE is required (see ${command} --help)\n`);
    return 2;
  }
  const apply = definition.cli?.apply;
  // An inspecting option (--browse) reads the file without its run-only issues: a look at the
  // source comes before the file says what to read.
  const inspecting = inspectingFlag(definition, parsed) !== undefined;
  // The bridge's own options are applied on every load, so a SIGHUP reload keeps them.
  const load = (forRun = true): FileConfig => {
    const loaded = loadMapping(file, definition, io.env, { inspecting: !forRun, onUnsetVariable: unsetVariableWarning(io.stderr), onWarning: sectionWarning(io.stderr) });
    return apply ? { ...loaded, [definition.name]: apply(parsed, loaded[definition.name]) } : loaded;
  };
  // A SIGHUP from here on asks for a file newer than the one read below.
  const readAt = hangups.count();
  let config = loadForCommand(() => load(!inspecting), io) as FileConfig | number;
  if (typeof config === 'number') return config;
  const logger = commandLogger(command, options, config, io.stderr);

  if (definition.cli?.handle) {
    try {
      const code = await definition.cli.handle(parsed, config[definition.name], {
        stdout: io.stdout,
        stderr: io.stderr,
        logger,
        ...(config.sink.buffer?.path === undefined ? {} : { stateDir: config.sink.buffer.path }),
      });
      if (code !== undefined) return code;
    } catch (err) {
      return failed(command, logger, err);
    }
  }
  // Nothing runs on a file read without every check.
  if (inspecting) {
    config = loadForCommand(() => load(), io) as FileConfig | number;
    if (typeof config === 'number') return config;
  }
  if (parsed.check) {
    io.stdout.write(formatCheck(definition, file, config, io.env));
    return 0;
  }
  return serveMapping({ command, file, definitions: [definition], config, load: () => ({ config: load(), definitions: [definition] }), reloadAsked: () => hangups.count() > readAt, options, logger, io });
}
