import { REBIRTH_INTERVAL_MS } from './_rebirth.js';
import { SPARKPLUG_LIMITS } from './sparkplug-state.js';

/** How long the bridge waits for the births it asked an edge node for, in ms (as long as it waits before asking again). */
export const REBIRTH_ANSWER_MS = REBIRTH_INTERVAL_MS;

/** Edge nodes remembered at most, waited on or settled (as many as the alias tables keep by default). */
const MAX_NODES = SPARKPLUG_LIMITS.maxNodes;

/**
 * Where the bridge stands with an edge node's births it asked for: `waiting` for them (asked less
 * than {@link REBIRTH_ANSWER_MS} ago), `answered` (an NBIRTH came since), `unanswered` (none came
 * in time), or `undefined` (never asked, or forgotten).
 */
export type RebirthStanding = 'waiting' | 'answered' | 'unanswered' | undefined;

/**
 * What became of the rebirth requests the bridge sent, per edge node (`group/edge node`): while
 * it waits for the births of its first request to a node, that node's unknown aliases are
 * expected (the bridge started, or reloaded, after those births), not a problem. Once the node
 * answered, or did not in time, an alias still unknown is the edge node's problem: later
 * requests to it are not waited on. Bounded: past {@link MAX_NODES} nodes the earliest are
 * forgotten (one such node may then be waited on once more).
 */
export interface RebirthWait {
  /** The bridge sent `node` a rebirth request. */
  asked(node: string): void;
  /** An NBIRTH of `node` came: an answer, if the bridge asked. */
  born(node: string): void;
  /** Where the bridge stands with `node`'s births (see {@link RebirthStanding}). */
  standing(node: string): RebirthStanding;
}

/** Creates a {@link RebirthWait} timed by `monotonicNow` (ms). */
export function createRebirthWait(monotonicNow: () => number): RebirthWait {
  /** node -> when its first request was sent, while no birth has come. */
  const waiting = new Map<string, number>();
  const settled = new Map<string, 'answered' | 'unanswered'>();
  const settle = (node: string, how: 'answered' | 'unanswered'): void => {
    waiting.delete(node);
    settled.delete(node);
    settled.set(node, how);
    if (settled.size > MAX_NODES) settled.delete(settled.keys().next().value as string);
  };
  const standing = (node: string): RebirthStanding => {
    const at = waiting.get(node);
    if (at === undefined) return settled.get(node);
    if (monotonicNow() - at < REBIRTH_ANSWER_MS) return 'waiting';
    settle(node, 'unanswered');
    return 'unanswered';
  };
  return {
    asked(node) {
      if (waiting.has(node) || settled.has(node)) return;
      waiting.set(node, monotonicNow());
      // Nodes asked and never heard from again: the earliest go (and are no longer waited on).
      if (waiting.size > MAX_NODES) waiting.delete(waiting.keys().next().value as string);
    },
    born(node) {
      // A birth that came late answers too: an alias unknown after it is not for want of one.
      if (waiting.has(node) || settled.has(node)) settle(node, 'answered');
    },
    standing,
  };
}
