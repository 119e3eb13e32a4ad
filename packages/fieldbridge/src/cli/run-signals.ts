import type { createLogger } from '@fieldbridge/core';

type Logger = ReturnType<typeof createLogger>;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What {@link answerSignals} needs. */
export interface SignalAnswers {
  /** Stops every file's service as the signal would, its name being the reason said in the stop line. */
  stop: (signal: NodeJS.Signals) => void;
  /** The command's logger, made when first needed. */
  logger: () => Logger;
}

/**
 * The signals `fieldbridge run` answers where no running service does. A service answers SIGINT
 * and SIGTERM (drain, or end a `--once` cycle and deliver) and SIGHUP (reload, or ignore it in a
 * cycle) once its bridges start; before that (the files being read, the sinks and observe servers
 * made) node's default would end the process at once: exit 130 on Ctrl-C, without a word. Here a
 * stop signal stops every service as SIGTERM does (a service still starting stops as soon as it
 * is started), and a second one where no service answers exits at once, saying so. (A SIGHUP
 * then is held by `holdHangups`, and each service reloads once it runs.) Returns the function
 * that removes the answers.
 */
export function answerSignals(s: SignalAnswers): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) {
      // The running services answer it; those still starting are stopped after them, so that
      // their own handler takes this signal as the first.
      setImmediate(() => s.stop(signal));
      return;
    }
    if (!stopping) {
      stopping = true;
      s.stop(signal);
      return;
    }
    s.logger().warn(`${signal} again: exiting without waiting for delivery; what was not delivered stays in a disk spool (sink.buffer.path), and is lost from a memory spool`);
    process.exit(1);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onStop);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onStop);
  };
}
