import type { OpcuaLogger } from './log-redirect.js';

/**
 * The warnings a run has given. A warning that holds for the whole run (`trust: always`, a
 * deprecated security policy) is logged at warn once, at the run's first connect attempt, and at
 * debug at every later attempt: a bridge retries every few seconds while a server is down, so a
 * warning per attempt would fill the log with a line nobody needs again. One is about a `topic`
 * and the `value` it names (the server certificate's thumbprint): a new value is worth a warning
 * again (another certificate accepted unchecked).
 */
export interface RunWarnings {
  /** Logs `message` at warn the first time `topic` comes with `value` (the last value seen), at debug otherwise. */
  warn(logger: OpcuaLogger, topic: string, value: string, fields: object, message: string): void;
}

/**
 * A new {@link RunWarnings}: make one per run (the bridge makes one per start) and hand it to
 * every `connectOpcua` of that run. Keeps one value per topic: a handful of fixed topics.
 */
export function createRunWarnings(): RunWarnings {
  const last = new Map<string, string>();
  return {
    warn(logger, topic, value, fields, message) {
      if (last.get(topic) === value) {
        logger.debug(fields, message);
        return;
      }
      last.set(topic, value);
      logger.warn(fields, message);
    },
  };
}
