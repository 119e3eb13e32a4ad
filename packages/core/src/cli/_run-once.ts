import type { Logger } from 'pino';
import type { MultiFileConfig } from '../config/file-schema.js';
import type { RunningBridges } from '../runtime/start-bridges.js';
import { errorInBrief } from '../shared/log-error.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../sink/sink-options.js';
import type { Sink } from '../sink/sink-types.js';
import { refusedPoints } from './_refused-points.js';
import type { ServiceState } from './_service-state.js';

/**
 * The signals of a `--once` cycle, which node would answer by ending the process at once (exit
 * 130 on Ctrl-C, 129 on a SIGHUP), what was read but not yet delivered lost: SIGINT and SIGTERM
 * end the cycle early and deliver what it read (exit 0), a second one exits at once saying what is
 * left; a SIGHUP is said and ignored (a cycle reloads nothing). `stop()` removes the answers.
 */
export function answerOnceSignals(state: ServiceState, logger: Logger, dryRun: boolean): { stop(): void } {
  let stopped = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopped) {
      logger.warn({ points: state.sink.status().spool.points }, `${signal} again: exiting without waiting for delivery; ${leftBehind(state, dryRun)}`);
      setImmediate(() => process.exit(1));
      return;
    }
    stopped = true;
    logger.info(`${signal}: ending the read cycle and delivering what was read`);
    void state.bridge?.stop();
  };
  const onHup = (): void => {
    logger.warn('SIGHUP: a --once cycle does not reload its mapping; ignored');
  };
  process.on('SIGINT', onStop).on('SIGTERM', onStop).on('SIGHUP', onHup);
  return {
    stop() {
      process.off('SIGINT', onStop).off('SIGTERM', onStop).off('SIGHUP', onHup);
    },
  };
}

/** One cycle: whatever was read is delivered even when the cycle failed part-way. */
export async function runOnce(bridge: RunningBridges, sink: Sink, config: MultiFileConfig, file: string | undefined, logger: Logger, timeoutMs: number | undefined, fail: (why: string) => void, signal: AbortSignal | undefined): Promise<number> {
  let code = 0;
  // Stopped from outside (another file of the run failed): the cycle ends now, what it read is delivered.
  const onAbort = () => {
    logger.info(`${typeof signal?.reason === 'string' ? signal.reason : 'stopped'}: ending the read cycle and delivering what was read`);
    void bridge.stop();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await bridge.once(timeoutMs);
  } catch (err) {
    logger.error({ err }, `the read cycle failed: ${(err as Error).message}; delivering what was read`);
    fail(errorInBrief(err));
    code = 1;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  await bridge.stop();
  // One budget for delivering and closing, as a stop has: a receiver that is down costs the
  // deadline once, not once to flush and again to close.
  const budgetMs = config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const start = Date.now();
  try {
    await sink.flush({ timeoutMs: budgetMs });
  } catch (err) {
    logger.error({ err }, 'not everything was delivered before the deadline');
    fail(errorInBrief(err));
    code = 1;
  }
  const report = await sink.close({ timeoutMs: Math.max(0, budgetMs - (Date.now() - start)) });
  if (report.lost > 0) {
    fail('undelivered points were lost');
    code = 1;
  }
  if (refusedPoints([report], file, logger, fail)) code = 1;
  return code;
}

/** What a stop without waiting leaves undelivered, and where it goes. */
export function leftBehind(state: ServiceState, dryRun: boolean): string {
  const points = state.sink.status().spool.points;
  const path = dryRun ? undefined : state.config.sink.buffer?.path;
  if (path !== undefined) return `${points} undelivered points stay in the disk spool at ${path} (a run on it sends them)`;
  return points > 0 ? `${points} undelivered points in the memory spool are lost` : 'the memory spool holds nothing undelivered';
}
