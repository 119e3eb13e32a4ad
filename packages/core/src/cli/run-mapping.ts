import type { Logger } from 'pino';
import type { MultiFileConfig } from '../config/file-schema.js';
import type { MappingReadOptions } from '../config/load-mapping.js';
import { isCodedError, isFieldbridgeError } from '../errors.js';
import type { RuleExchange } from '../rules/rule-exchange.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { errorInBrief } from '../shared/log-error.js';
import { createLogger } from '../shared/logger.js';
import type { CliIo } from './parse-args.js';
import type { RunOptions } from './run-options.js';
import { runService } from './run-service.js';
import type { MappingRead } from './mapping-read.js';

/**
 * Loads a mapping file for a command. Returns the configuration, or exit code 2 after writing
 * the reason (`file:line:col key: message`, or the file cannot be read) to stderr.
 */
export function loadForCommand(load: () => MultiFileConfig, io: CliIo): MultiFileConfig | number {
  try {
    return load();
  } catch (err) {
    if (isFieldbridgeError(err, 'CONFIG_INVALID') || isFieldbridgeError(err, 'CONFIG_NOT_FOUND')) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * What a command says, on stderr, of a `${VAR}` in a mapping file that reads as empty because
 * the variable is not set: where it stands, and how to make it deliberate.
 */
export function unsetVariableWarning(stderr: CliIo['stderr']): NonNullable<MappingReadOptions['onUnsetVariable']> {
  return (variable, where) => {
    stderr.write(`${where.file}:${where.line}:${where.col} ${where.path}: \${${variable}} is not set, so it reads as empty; set it, or write \${${variable}:-default} for a default or \${${variable}:?why} to require it\n`);
  };
}

/** What a command says, on stderr, of a bridge's warning about a valid file: where it stands, and the bridge's words. */
export function sectionWarning(stderr: CliIo['stderr']): NonNullable<MappingReadOptions['onWarning']> {
  return (where) => {
    stderr.write(`${where.file}:${where.line}:${where.col} ${where.path}: warning: ${where.message}\n`);
  };
}

/** The process logger of a command, on its stderr: `--log-level`, else the file's `log.level`, else info. */
export function commandLogger(command: string, options: RunOptions, config: MultiFileConfig, stderr?: CliIo['stderr']): Logger {
  return createLogger({ name: command, level: (options.logLevel ?? config.log?.level ?? 'info') as 'info', ...(stderr ? { stderr } : {}) });
}

/** What {@link serveMapping} runs. */
export interface ServeMappingOptions {
  /** The command, for messages: `bridge-modbus`, `fieldbridge`. */
  command: string;
  /** Every bridge whose section the file holds runs, on one sink. */
  definitions: readonly BridgeDefinition[];
  config: MultiFileConfig;
  /**
   * Reads the file again (SIGHUP), with the bridges it may hold then (a file may gain or lose
   * sections). Throws (or rejects) like `loadMapping`: the reload is refused with the message.
   */
  load: () => MappingRead | Promise<MappingRead>;
  /** Told of each mapping a reload applied (not of one it refused). */
  onReloaded?: (read: MappingRead) => void;
  options: RunOptions;
  logger: Logger;
  io: CliIo;
  /** Stops it as SIGTERM would; a string `reason` given to `abort()` says why in the stop line. */
  signal?: AbortSignal;
  /** Told why the run fails, once, as soon as it is known: an expected error's code, else what happened. */
  onFailure?: (why: string) => void;
  /**
   * The exchange of a run of several files (one `createRuleExchange()` for all of them): their
   * rules that list `sources:` read each other's points. Default: none.
   */
  ruleExchange?: RuleExchange;
  /** The mapping file: a spool or observe address refused at run time is said at its key (`file:line:col`). */
  file?: string;
  /**
   * Whether a SIGHUP arrived after the file was read and before the service answers SIGHUP
   * (count them with `holdHangups`): the service reloads once its bridges run. Default: none did.
   */
  reloadAsked?: () => boolean;
}

/**
 * Runs a loaded mapping until SIGINT/SIGTERM (or one cycle with `--once`) and resolves with the
 * exit code: 0 clean, 1 runtime failure, 2 for options the runtime refuses. Expected, coded
 * errors are logged as their code and message (they say what to do); anything else with its stack.
 */
export async function serveMapping(s: ServeMappingOptions): Promise<number> {
  try {
    return await runService({
      command: s.command,
      definitions: s.definitions,
      config: s.config,
      load: s.load,
      logger: s.logger,
      io: s.io,
      dryRun: s.options.dryRun,
      once: s.options.once,
      onceTimeoutMs: s.options.onceTimeoutMs,
      session: s.options.session,
      ...(s.signal ? { signal: s.signal } : {}),
      ...(s.onFailure ? { onFailure: s.onFailure } : {}),
      ...(s.onReloaded ? { onReloaded: s.onReloaded } : {}),
      ...(s.ruleExchange ? { ruleExchange: s.ruleExchange } : {}),
      ...(s.file === undefined ? {} : { file: s.file }),
      ...(s.reloadAsked ? { reloadAsked: s.reloadAsked } : {}),
    });
  } catch (err) {
    const code = failed(s.command, s.logger, err);
    s.onFailure?.(errorInBrief(err));
    return code;
  }
}

/**
 * Logs a command's fatal error and gives its exit code. An expected, coded error is logged with
 * its code and message (they say what to do), anything else with its stack (see `serializeError`).
 */
export function failed(command: string, logger: Logger, err: unknown): number {
  if (isCodedError(err)) {
    logger.fatal({ err }, `${command}: ${err.message}`);
    return isFieldbridgeError(err, 'OPTIONS_INVALID') ? 2 : 1;
  }
  logger.fatal({ err }, `${command} failed: ${(err as Error).message}`);
  return 1;
}
