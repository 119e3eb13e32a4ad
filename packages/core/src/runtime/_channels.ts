import type { Logger } from 'pino';
import type { SourceMetrics } from '../bridge/source-metrics.js';
import { createWakeup } from '../shared/wait.js';
import type { Channel, ChannelOptions, SourceState } from './define-bridge.js';

/** Channels opened at most at once; past this, new ones are refused to a shared overflow channel. */
export const MAX_CHANNELS = 10_000;

/** What the runtime knows of one channel. */
interface Entry extends Channel {
  parent: string | undefined;
  /** `--once` waits for it though it is optional. */
  awaited: boolean;
  emitted: boolean;
  /** The reason given with the last state set, if any. */
  reason: string | undefined;
  /** The few words given for that reason (`ChannelSetOptions.headline`), if any. */
  headline: string | undefined;
}

/** The channels of one running bridge, for `/readyz`, `--once` and the standard metrics. */
export interface Channels {
  open(name: string, options?: ChannelOptions): Channel;
  /** Notes that `channel` (and its parent) delivered points. */
  emitted(channel: string): void;
  /** Every required channel is connected. */
  ready(): boolean;
  /** Each open channel's state, the reason given with it (and its headline), and whether it is required. */
  snapshot(): Record<string, { state: SourceState; required: boolean; reason?: string; headline?: string }>;
  /** Required and awaited channels that neither emitted nor failed yet. */
  waiting(): string[];
  /**
   * Required channels in state `failed`, and whether any required channel was ever connected or
   * delivered points (a source may hand over its first values before it reports the channel
   * connected: data read counts as connected).
   */
  failures(): { failed: string[]; everConnected: boolean };
  /** Resolves at the next change (a state set, a first emit, a channel opened or closed). */
  changed(): Promise<void>;
}

/** Creates the {@link Channels} of a bridge; states are logged at each change (and told to `onState`). */
export function createChannels(metrics: SourceMetrics, logger: Logger, onState?: (channel: string, state: SourceState) => void): Channels {
  const entries = new Map<string, Entry>();
  const wake = createWakeup();
  let everConnected = false;

  const open = (name: string, options: ChannelOptions = {}): Channel => {
    const existing = entries.get(name);
    if (existing) return existing;
    if (entries.size >= MAX_CHANNELS) return open('_overflow', { required: false });
    let state: SourceState = 'connecting';
    const entry: Entry = {
      name,
      required: options.required ?? true,
      awaited: options.awaited ?? false,
      parent: options.parent,
      emitted: false,
      reason: undefined,
      headline: undefined,
      state: () => state,
      set(next, reason, options) {
        if (state === 'closed') return;
        entry.reason = reason;
        entry.headline = reason === undefined ? undefined : options?.headline;
        if (next === state) return;
        state = next;
        if (next === 'connected' && entry.required) everConnected = true;
        metrics.connected(name, next === 'connected');
        const said = entry.headline ?? reason;
        logger.info({ channel: name, state: next, ...(said === undefined ? {} : { reason: said }) }, `${name}: ${next}${said === undefined ? '' : ` (${said})`}`);
        onState?.(name, next);
        wake.wake();
      },
      close(reason) {
        if (state === 'closed') return;
        state = 'closed';
        entries.delete(name);
        metrics.forget(name);
        logger.info({ channel: name, state: 'closed', ...(reason === undefined ? {} : { reason }) }, `${name}: closed${reason === undefined ? '' : ` (${reason})`}`);
        onState?.(name, 'closed');
        wake.wake();
      },
    };
    entries.set(name, entry);
    metrics.connected(name, false);
    onState?.(name, 'connecting');
    wake.wake();
    return entry;
  };

  const required = () => [...entries.values()].filter((e) => e.required);
  return {
    open,
    emitted(name) {
      const entry = entries.get(name);
      if (!entry || entry.emitted) return;
      entry.emitted = true;
      if (entry.required) everConnected = true;
      if (entry.parent !== undefined) this.emitted(entry.parent);
      wake.wake();
    },
    ready: () => required().every((e) => e.state() === 'connected'),
    snapshot: () =>
      Object.fromEntries(
        [...entries.values()].map((e) => [
          e.name,
          { state: e.state(), required: e.required, ...(e.reason === undefined ? {} : { reason: e.reason }), ...(e.headline === undefined ? {} : { headline: e.headline }) },
        ]),
      ),
    waiting: () => [...entries.values()].filter((e) => (e.required || e.awaited) && !e.emitted && e.state() !== 'failed').map((e) => e.name),
    failures: () => ({ failed: required().filter((e) => e.state() === 'failed').map((e) => e.name), everConnected }),
    changed: () => wake.wait(),
  };
}
