import type { Lane, MonitorContext } from './_monitor.js';
import type { ServerLimits } from './_server-limits.js';
import type { ExpandedFolder, PendingFolder, Target } from './_targets.js';
import type { OpcuaConnection } from './connection.js';
import { messageOf } from './errors.js';
import type { SubscriptionOptions, SubscriptionProblem, SubscriptionStats } from './subscription-types.js';

/** The counters a subscription adds to as messages arrive and as it is created again. */
export type SubscriptionCounts = Pick<SubscriptionStats, 'messages' | 'values' | 'events' | 'decodeProblems' | 'overflows' | 'recreations' | 'duplicates'>;

/**
 * Why the items could not all be placed on subscriptions: the session has as many as the server
 * gives it (`session`: its MaxSubscriptionsPerSession said so, `declared`, or it refused one more
 * with BadTooManySubscriptions), a subscription of its own took none (`server`: the server holds
 * no more items over all its clients, its MaxMonitoredItems), the bridge's own bound (`bridge`),
 * or a subscription could not be created (`failed`, with the reason).
 */
export type RoomShortage =
  | { kind: 'session'; subscriptions: number; declared: boolean }
  | { kind: 'server' }
  | { kind: 'bridge'; subscriptions: number }
  | { kind: 'failed'; reason: string };

/**
 * What monitoring needs: the subscriptions the items are spread over (`lanes`, the first one
 * made at subscribe), the server's limits, and the items of the bridge's own (model changes)
 * whose notifications are no records.
 */
export interface SubscriptionMonitor extends MonitorContext {
  internal: WeakSet<object>;
  /** The subscriptions, in the order they were made: items are placed on the first with room. */
  readonly lanes: Lane[];
  /** The server's MaxMonitoredItemsPerSubscription and MaxSubscriptionsPerSession, where it says them. */
  limits: ServerLimits;
  /**
   * The most items one CreateMonitoredItems request carried, learnt from a server that refused a
   * larger one (BadTooManyOperations) without saying its MaxMonitoredItemsPerCall: kept for the
   * session, so that each retry and rescan does not have one more request refused.
   */
  learnedItemsPerCall?: number;
  /** Why the last placement left items without a subscription; undefined once one placed them all. */
  shortage?: RoomShortage;
  /** Listens to a lane's subscription (its records, its re-creation): called for each new lane, and again when its subscription is replaced. */
  attach(lane: Lane): void;
}

/**
 * The state the parts of one `subscribe()` share, over all its subscriptions: what it monitors,
 * the folders it found or still looks for, its counters, and the one queue its upkeep (retries,
 * rescans, withdrawals, re-creations) runs in, so that no two of them change the items at once.
 */
export interface Upkeep {
  readonly connection: OpcuaConnection;
  readonly options: SubscriptionOptions;
  /** The publishing interval asked for, in ms. */
  readonly publishingIntervalMs: number;
  /** How often refused items and unresolved nodes are tried again, in ms (`options.retryRefusedMs`, default 60000). */
  readonly retryMs: number;
  readonly targets: Target[];
  /** Folders not found yet: looked for again with the refused items. */
  pendingFolders: PendingFolder[];
  /** The folders found, kept in step with the server by rescans. */
  readonly folders: ExpandedFolder[];
  readonly counts: SubscriptionCounts;
  /** Set by `close()`: upkeep queued before it changes nothing more. */
  closed: boolean;
  /** Hands a problem to `options.onProblem`, or logs it at warn without one. */
  report(problem: SubscriptionProblem): void;
  /** Runs `work` after the upkeep queued before it; a failure is logged, never thrown. */
  serial(work: () => Promise<void>): Promise<void>;
  /** The upkeep queued last, settled. */
  busy(): Promise<void>;
}

/** Starts the shared state of a subscription with the targets and folders planned from its options. */
export function createUpkeep(
  connection: OpcuaConnection,
  options: SubscriptionOptions,
  publishingIntervalMs: number,
  plan: { targets: Target[]; folders: PendingFolder[] },
): Upkeep {
  const { logger } = connection;
  let busy: Promise<void> = Promise.resolve();
  return {
    connection,
    options,
    publishingIntervalMs,
    retryMs: options.retryRefusedMs ?? 60_000,
    targets: plan.targets,
    pendingFolders: plan.folders,
    folders: [],
    counts: { messages: 0, values: 0, events: 0, decodeProblems: 0, overflows: 0, recreations: 0, duplicates: 0 },
    closed: false,
    report(problem) {
      // A handler decides how to log (the bridge logs once per episode); without one, every problem is logged.
      if (!options.onProblem) {
        logger.warn({ item: problem.item, kind: problem.kind }, problem.message);
        return;
      }
      try {
        options.onProblem(problem);
      } catch (err) {
        logger.error({ err }, 'the onProblem handler threw');
      }
    },
    serial(work) {
      busy = busy.then(work).catch((err: unknown) => logger.error({ err }, `subscription upkeep failed: ${messageOf(err)}`));
      return busy;
    },
    busy: () => busy,
  };
}
