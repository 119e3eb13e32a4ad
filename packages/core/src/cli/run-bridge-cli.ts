import type { FileConfig } from '../config/file-schema.js';
import { loadMapping } from '../config/load-mapping.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { checkRunOptions } from './run-options.js';
import { parseCliArgs, type CliIo } from './parse-args.js';
import { formatCheck } from './print-check.js';
import { commandLogger, failed, loadForCommand, serveMapping } from './run-mapping.js';

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/**
 * The command line every bridge shares (DESIGN section 6). Resolves with the exit code:
 * 0 clean, 1 runtime failure, 2 usage or configuration error (the message names
 * `file:line:col` and the key). A bridge's `cli.ts` is a call to this.
 */
export async function runBridgeCli(definition: BridgeDefinition, argv: string[], io: CliIo = defaultIo): Promise<number> {
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
  // The bridge's own options are applied on every load, so a SIGHUP reload keeps them.
  const load = (): FileConfig => {
    const loaded = loadMapping(file, definition, io.env);
    return apply ? { ...loaded, [definition.name]: apply(parsed, loaded[definition.name]) } : loaded;
  };
  const config = loadForCommand(load, io) as FileConfig | number;
  if (typeof config === 'number') return config;
  const logger = commandLogger(command, options, config);

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
  if (parsed.check) {
    io.stdout.write(formatCheck(definition, file, config));
    return 0;
  }
  return serveMapping({ command, definitions: [definition], config, load, options, logger, io });
}
