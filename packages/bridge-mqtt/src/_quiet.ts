import { formatDuration, type BridgeContext } from '@fieldbridge/core/bridge';
import type { ResolvedSubscription } from './resolve.js';

/** What the source tells the watch of its subscriptions; see {@link createQuietWatch}. */
export interface QuietWatch {
  /** The broker granted the subscription: its wait starts, at its first grant of the run only. */
  granted(name: string): void;
  /** A message came on a subscription reported quiet: its episode ends. */
  heard(name: string): void;
  /** Subscriptions reported quiet and not heard since. */
  readonly reported: ReadonlySet<string>;
  /** Clears the timers. */
  stop(): void;
}

/**
 * Reports, once, a subscription that brought no message within `quietMs` of its grant: a filter
 * that matches no topic anyone publishes (a typo, a case, `+` for `#`) is granted and connected
 * like any other, and would otherwise stay silent for good with the bridge looking healthy.
 */
export function createQuietWatch(ctx: BridgeContext, subs: readonly ResolvedSubscription[], heard: ReadonlyMap<string, number>, quietMs: number): QuietWatch {
  const timers = new Map<string, NodeJS.Timeout>();
  const reported = new Set<string>();
  const started = new Set<string>();
  return {
    reported,
    granted(name) {
      if (started.has(name)) return;
      started.add(name);
      const sub = subs.find((s) => s.name === name);
      if (sub === undefined) return;
      const timer = setTimeout(() => {
        timers.delete(name);
        if (heard.get(name)! > 0) return;
        reported.add(name);
        ctx.problems.report(
          `mqtt.quiet.${name}`,
          `subscription ${name}: no message in ${formatDuration(quietMs)} since the broker granted ${sub.topic.raw}, and it retains none there: expected for a topic of rare events, else no topic the filter matches is published. Compare it with the topics the broker carries (bridge-mqtt --scan lists them): levels are case-sensitive, + is one level and # every level below`,
          { subscription: name },
        );
      }, quietMs);
      timer.unref();
      timers.set(name, timer);
    },
    heard(name) {
      if (!reported.delete(name)) return;
      ctx.problems.resolve(`mqtt.quiet.${name}`, `subscription ${name}: a message came`);
    },
    stop() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
