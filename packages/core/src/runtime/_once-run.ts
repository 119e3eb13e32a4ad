import type { Logger } from 'pino';
import { FieldbridgeError } from '../errors.js';
import type { ProblemReporter } from '../shared/problems.js';
import { sleep } from '../shared/wait.js';
import type { Channels } from './_channels.js';
import type { BridgeDefinition, BridgeInstance } from './define-bridge.js';

/** How often a `--once` looks again at a source's `onceComplete()`. */
const ONCE_COMPLETE_LOOK_MS = 25;

/** What a `--once` cycle of a started bridge reads. */
export interface OnceRun {
  definition: BridgeDefinition;
  /** The bridge's section of the mapping (for its `onceTimeoutMs`). */
  section: unknown;
  instance: BridgeInstance;
  /** Starts the bridge, once. */
  start(): Promise<void>;
  channels: Channels;
  problems: ProblemReporter;
  logger: Logger;
  /** Aborted when the bridge stops. */
  signal: AbortSignal;
}

/**
 * One `--once` cycle (`RunningBridge.once`): the bridge's own `once()` when it has one, else it
 * starts and waits until every required channel gave points (and `onceComplete()` holds, while a
 * required channel can still bring it), the source ran out, or `timeoutMs` passed. Throws
 * `BRIDGE_FAILED` when nothing was read; warns naming the channels that stayed silent.
 */
export async function runOnce(run: OnceRun, timeoutMs: number | undefined): Promise<{ silent: string[] }> {
  const { definition, section, instance, start, channels, problems, logger } = run;
  if (instance.once) {
    await instance.once();
    return { silent: [] };
  }
  await start();
  const wait = timeoutMs ?? definition.onceTimeoutMs?.(section) ?? 10_000;
  const startedAt = performance.now();
  const timer = new AbortController();
  // The wait also ends when the run is stopped (Ctrl-C): that is no timeout, and is not said as one.
  const deadline = sleep(wait, timer.signal, run.signal).then(() => (run.signal.aborted ? ('stopped' as const) : ('timeout' as const)));
  // A source that ran out (a replayed capture) has nothing more to give a silent channel.
  const ended = instance.ended?.then(() => 'ended' as const, () => 'ended' as const) ?? deadline;
  let stoppedBy: 'timeout' | 'ended' | undefined;
  const complete = instance.onceComplete?.bind(instance);
  // What a source has not all read yet is waited for while a required channel can still bring it.
  const requiredCount = () => Object.values(channels.snapshot()).filter((c) => c.required).length;
  const incomplete = () => complete?.() === false && channels.failures().failed.length < requiredCount();
  while ((channels.waiting().length > 0 || incomplete()) && !run.signal.aborted) {
    const woke = await Promise.race([channels.changed(), deadline, ended, ...(complete ? [sleep(ONCE_COMPLETE_LOOK_MS, timer.signal, run.signal)] : [])]);
    if (woke === 'timeout' || woke === 'ended') {
      stoppedBy = woke;
      break;
    }
  }
  timer.abort();
  const silent = channels.waiting();
  const { failed, everConnected } = channels.failures();
  const required = Object.values(channels.snapshot()).filter((c) => c.required).length;
  if (required > 0 && (!everConnected || failed.length === required)) {
    // A headline stands for a reason the bridge told whole in the log already: not told twice.
    const states = Object.entries(channels.snapshot())
      .map(([name, c]) => {
        const said = c.headline ?? c.reason;
        return `${name} ${c.state}${said === undefined ? '' : `: ${said}`}`;
      })
      .join(', ');
    throw new FieldbridgeError('BRIDGE_FAILED', `--once: bridge-${definition.name} read nothing${onceOutcome(stoppedBy, wait, Math.round(performance.now() - startedAt), failed.length === required)} (${states}); see the log for why`);
  }
  if (silent.length > 0) {
    // A channel heard from but without a point (a wrong key, a payload that does not decode) is
    // not a silent one: say which it is, so the warning points where the problem is.
    const snapshot = channels.snapshot();
    // Connected without a problem logged: most likely nothing arrived (no one publishes there).
    const why = problems.open().length > 0 ? 'nothing it sent gave a point: see its problems above' : 'no point came of it and no problem was logged: is anything sending there?';
    const said = silent.map((name) => (snapshot[name]?.state === 'connected' ? `${name} (connected, but ${instance.silentWhy?.(name) ?? why})` : name));
    const waited = Math.round(performance.now() - startedAt);
    const until = stoppedBy === 'ended' ? 'before the source ran out' : stoppedBy === 'timeout' ? `within ${wait} ms` : `before the cycle was stopped (after ${waited} ms)`;
    logger.warn({ silent }, `--once: nothing ${until} on ${said.join(', ')}`);
  }
  return { silent };
}

/**
 * How a `--once` that read nothing ended, as its message says it: at the deadline, when the source
 * ran out, or early, when every required channel failed (a refusal someone must fix: waiting on
 * would not help) or the run was stopped.
 */
function onceOutcome(stoppedBy: 'timeout' | 'ended' | undefined, waitMs: number, elapsedMs: number, allFailed: boolean): string {
  if (stoppedBy === 'timeout') return ` within ${waitMs} ms`;
  if (stoppedBy === 'ended') return ` before the source ran out (after ${elapsedMs} ms)`;
  if (allFailed) return `: it stopped after ${elapsedMs} ms (of at most ${waitMs} ms) because every required channel failed`;
  return `: it stopped after ${elapsedMs} ms (of at most ${waitMs} ms)`;
}

