import type { FileConfig } from '../config/file-schema.js';
import { loadMapping } from '../config/load-mapping.js';
import { durationMs } from '../config/units.js';
import { isFieldbridgeError } from '../errors.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { createLogger } from '../shared/logger.js';
import { parseCliArgs, type CliIo } from './parse-args.js';
import { formatCheck } from './print-check.js';
import { runService } from './run-service.js';

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/**
 * The command line every bridge shares (DESIGN section 6). Resolves with the exit code:
 * 0 clean, 1 runtime failure, 2 usage or configuration error (the message names
 * `file:line:col` and the key). A bridge's `cli.ts` is a call to this.
 */
export async function runBridgeCli(definition: BridgeDefinition, argv: string[], io: CliIo = defaultIo): Promise<number> {
  const parsed = parseCliArgs(definition, argv, io);
  if (typeof parsed === 'number') return parsed;
  const file = parsed.config ?? io.env.FIELDBRIDGE_CONFIG;
  const command = `bridge-${definition.name}`;
  if (parsed.session !== undefined && !(parsed.session.length > 0 && parsed.session.length <= 256)) {
    io.stderr.write(`${command}: --session needs a name of 1..256 characters\n`);
    return 2;
  }
  let onceTimeoutMs: number | undefined;
  if (parsed.onceTimeout !== undefined) {
    const result = durationMs({ minMs: 1, maxMs: 3_600_000 }).safeParse(/^\d+$/.test(parsed.onceTimeout) ? Number(parsed.onceTimeout) : parsed.onceTimeout);
    if (!result.success) {
      io.stderr.write(`${command}: --once-timeout ${parsed.onceTimeout}: ${result.error.issues[0]?.message ?? 'not a duration'}\n`);
      return 2;
    }
    onceTimeoutMs = result.data;
  }
  if (!file) {
    io.stderr.write(`${command}: --config FILE is required (see ${command} --help)\n`);
    return 2;
  }
  const load = (): FileConfig => loadMapping(file, definition, io.env);
  let config: FileConfig;
  try {
    config = load();
  } catch (err) {
    if (isFieldbridgeError(err, 'CONFIG_INVALID') || isFieldbridgeError(err, 'CONFIG_NOT_FOUND')) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const level = parsed.logLevel ?? config.log?.level ?? 'info';
  const logger = createLogger({ name: command, level: level as 'info' });

  try {
    if (definition.cli?.handle) {
      const code = await definition.cli.handle(parsed, config[definition.name], {
        stdout: io.stdout,
        stderr: io.stderr,
        logger,
        ...(config.sink.buffer?.path === undefined ? {} : { stateDir: config.sink.buffer.path }),
      });
      if (code !== undefined) return code;
    }
    if (parsed.check) {
      io.stdout.write(formatCheck(definition, file, config));
      return 0;
    }
    return await runService({ definition, config, load, logger, io, dryRun: !!parsed.dryRun, once: !!parsed.once, onceTimeoutMs, session: parsed.session });
  } catch (err) {
    // Our own errors say what to do; a stack trace would only bury it.
    if (isFieldbridgeError(err)) {
      logger.fatal({ code: err.code }, `${command}: ${err.message}`);
      return err.code === 'OPTIONS_INVALID' ? 2 : 1;
    }
    logger.fatal({ err }, `${command} failed: ${(err as Error).message}`);
    return 1;
  }
}
