import { formatDuration } from '../config/units.js';

/** How a listening window ended. */
export interface ListenWindow {
  /** How long it listened, to a tenth of a second when cut short. */
  readonly ms: number;
  /** Ended early by the user (Ctrl-C or SIGTERM), not by its duration or the source. */
  readonly interrupted: boolean;
  /** How long it listened, for the report's heading: `10s`, `3.5s` (the source ended), `4.2s (stopped early)`. */
  readonly text: string;
}

export interface ListenWindowOptions {
  /** Settles when the source went away or ran out: the window ends then. */
  ended?: Promise<unknown>;
  /**
   * Called once Ctrl-C is taken (say "listening" here, not before: a Ctrl-C between the two
   * would end the process without its report).
   */
  started?: () => void;
  /** Where SIGINT and SIGTERM arrive (the process; a test gives an emitter). */
  signals?: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Waits out a look at the source (`--scan 5m`) for `ms`, or until the user stops it: the first
 * Ctrl-C (or SIGTERM) during the window ends it early, so that what was heard until then is
 * still reported, as `tcpdump` does. The signal listeners exist only for the window: a second
 * Ctrl-C while the report is made ends the process as usual. Leaves no timer behind.
 */
export async function listenWindow(ms: number, options: ListenWindowOptions = {}): Promise<ListenWindow> {
  const signals = options.signals ?? process;
  const startedMs = Date.now();
  let ending = 'ended' as 'time' | 'interrupt' | 'ended';
  let timer: NodeJS.Timeout | undefined;
  let onSignal: (() => void) | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          ending = 'time';
          resolve();
        }, ms);
      }),
      new Promise<void>((resolve) => {
        onSignal = () => {
          ending = 'interrupt';
          resolve();
        };
        for (const name of STOP_SIGNALS) signals.once(name, onSignal);
        options.started?.();
      }),
      ...(options.ended ? [options.ended.then(() => undefined, () => undefined)] : []),
    ]);
  } finally {
    clearTimeout(timer);
    for (const name of STOP_SIGNALS) signals.off(name, onSignal!);
  }
  const heard = ending === 'time' ? ms : Math.min(ms, Math.round((Date.now() - startedMs) / 100) * 100);
  const interrupted = ending === 'interrupt';
  const text = heard === 0 ? '0s' : formatDuration(heard);
  return { ms: heard, interrupted, text: interrupted ? `${text} (stopped early)` : text };
}
