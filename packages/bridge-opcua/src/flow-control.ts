import { OpcuaBridgeError } from './errors.js';

/**
 * The parts of node-opcua's `ClientSidePublishEngine` (one per session) that flow control
 * drives. The engine keeps up to 5 Publish requests waiting at the server; each answer carries
 * one NotificationMessage, whose acknowledgement the engine queues in
 * `acknowledge_notification()` and sends inside the next Publish request. Verified against
 * node-opcua 2.182.2 (`private/client_publish_engine.js`); {@link createFlowControl} checks the
 * shape at run time and refuses another.
 */
export interface PublishEngineLike {
  suspend(suspended: boolean): void;
  acknowledge_notification(subscriptionId: number, sequenceNumber: number): void;
  internalSendPublishRequest(): void;
  readonly isSuspended: boolean;
  readonly nbPendingPublishRequests: number;
}

/**
 * Holding and releasing notifications while the consumer cannot take them. It acts on the
 * session's publish engine, so on every subscription of that session.
 */
export interface FlowControl {
  /**
   * Stops asking the server for notifications and keeps their acknowledgements: the server then
   * holds new values in each monitored item's queue (`queue_size`, oldest discarded first, the
   * next value flagged `overflow`) and unacknowledged messages for retransmission. Answers to
   * Publish requests already waiting still arrive (at most 5 messages). Idempotent.
   */
  hold(): void;
  /** Sends the kept acknowledgements and resumes publishing. Idempotent. */
  release(): void;
  held(): boolean;
  stats(): FlowStats;
}

/** Counters of a flow control. */
export interface FlowStats {
  /** Times `hold()` started a hold. */
  holds: number;
  /** Acknowledgements kept now. */
  heldAcks: number;
  /** Publish requests sent during holds so the server does not close the subscriptions (one per subscription each time). */
  lifelines: number;
}

/** Options of {@link createFlowControl}. */
export interface FlowControlOptions {
  /**
   * How long the server keeps a subscription without a Publish request, in ms (revised
   * lifetime count x publishing interval; the shortest, with several). A hold longer than half of
   * it sends one Publish request per subscription (a "lifeline"): one message of data flows for
   * each, and they survive.
   */
  lifetimeMs: () => number;
  /**
   * Subscriptions on the session (default 1). A server hands each Publish request to one
   * subscription, the one nearest to its end: a lifeline sends one request per subscription.
   */
  subscriptions?: () => number;
  /**
   * False while node-opcua repairs the session after a loss: it suspends the engine itself then
   * and resumes it when done, so a release in between must leave that to it. Default always true.
   */
  canResume?: () => boolean;
  /** Timer functions, injectable for tests. Default the global ones. */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** The flow control of one session's publish engine, plus a `dispose()` that gives the engine back. */
export type EngineFlowControl = FlowControl & { dispose(): void; reapply(): void };

/** Checks that `engine` has the shape {@link PublishEngineLike} describes; throws otherwise. */
export function asPublishEngine(engine: unknown): PublishEngineLike {
  const e = engine as Partial<Record<keyof PublishEngineLike, unknown>> | null;
  const ok = !!e && typeof e.suspend === 'function' && typeof e.acknowledge_notification === 'function' && typeof e.internalSendPublishRequest === 'function' && typeof e.isSuspended === 'boolean';
  if (!ok) {
    throw new OpcuaBridgeError('LOAD_FAILED', "node-opcua's publish engine is not the one flow control was built for (node-opcua 2.182.2): install that version", { retryable: false });
  }
  return engine as PublishEngineLike;
}

/**
 * Puts `engine` under flow control. Acknowledgements pass straight through until `hold()`;
 * `reapply()` restores a hold that node-opcua lifted (it resumes publishing at the end of a
 * reconnection).
 */
export function createFlowControl(engine: PublishEngineLike, options: FlowControlOptions): EngineFlowControl {
  const setTimer = options.setInterval ?? ((fn, ms) => setInterval(fn, ms).unref());
  const clearTimer = options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  const canResume = options.canResume ?? (() => true);
  const inherited = !Object.prototype.hasOwnProperty.call(engine, 'acknowledge_notification');
  const original = engine.acknowledge_notification.bind(engine);
  const kept: [number, number][] = [];
  let isHeld = false;
  let lifelineTimer: unknown;
  const stats = { holds: 0, lifelines: 0 };

  engine.acknowledge_notification = (subscriptionId, sequenceNumber) => {
    if (isHeld) kept.push([subscriptionId, sequenceNumber]);
    else original(subscriptionId, sequenceNumber);
  };

  const lifeline = (): void => {
    if (!isHeld) return;
    const wanted = Math.max(1, options.subscriptions?.() ?? 1);
    for (let pending = engine.nbPendingPublishRequests; pending < wanted; pending += 1) {
      stats.lifelines += 1;
      engine.internalSendPublishRequest();
    }
  };

  return {
    hold() {
      if (isHeld) return;
      isHeld = true;
      stats.holds += 1;
      engine.suspend(true);
      const every = Math.max(1000, Math.floor(options.lifetimeMs() / 2));
      lifelineTimer = setTimer(lifeline, every);
    },
    release() {
      if (!isHeld) return;
      isHeld = false;
      clearTimer(lifelineTimer);
      for (const [subscriptionId, sequenceNumber] of kept.splice(0)) original(subscriptionId, sequenceNumber);
      if (canResume()) engine.suspend(false);
    },
    held: () => isHeld,
    stats: () => ({ holds: stats.holds, heldAcks: kept.length, lifelines: stats.lifelines }),
    reapply() {
      if (isHeld && !engine.isSuspended) engine.suspend(true);
    },
    dispose() {
      if (isHeld) {
        isHeld = false;
        clearTimer(lifelineTimer);
        for (const [subscriptionId, sequenceNumber] of kept.splice(0)) original(subscriptionId, sequenceNumber);
        if (canResume()) engine.suspend(false);
      }
      if (inherited) delete (engine as Partial<PublishEngineLike>).acknowledge_notification;
      else engine.acknowledge_notification = original;
    },
  };
}
