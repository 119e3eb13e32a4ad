import { excerpt, type BridgeContext } from '@fieldbridge/core/bridge';
import type { Counter } from 'prom-client';
import { createDryRunBirths } from './_dry-run-births.js';
import { createRebirthRequester, MAX_REBIRTHS_PER_INTERVAL, REBIRTH_INTERVAL_MS } from './_rebirth.js';
import { createRebirthWait, REBIRTH_ANSWER_MS, type RebirthStanding } from './_rebirth-wait.js';
import type { DecodeProblem, DecodeResult, TopicRoute } from './decode.js';

/** What the source does about the Sparkplug births it lacks (see {@link createSparkplugBirths}). */
export interface SparkplugBirths {
  /** From now on, asks edge nodes for their births (`rebirth: true`) through `publish` (QoS 0; false when not connected). */
  startAsking(publish: (topic: string, payload: Uint8Array) => boolean, encode: (timestampMs: number) => Uint8Array): void;
  /**
   * Takes in a decoded message of subscription `name`: notes a birth, asks for missing ones.
   * Returns, per problem of `result`, the text to add to its message, or undefined for one that
   * is expected and not to be logged (still counted).
   */
  decoded(name: string, route: TopicRoute, result: DecodeResult): (problem: DecodeProblem) => string | undefined;
  /** The line a dry run ends with (the DATA it could not decode for want of births), if any. */
  closing(): string | undefined;
}

/**
 * The Sparkplug births the source lacks, and what it says of them. With `rebirth: true` it asks
 * an edge node whose aliases are unknown for its births (bounded, see `createRebirthRequester`);
 * while it waits for those of its first request to the node, which is expected at every start
 * and reload, that node's unknown aliases are counted but not logged. An alias still unknown
 * after the births came, or once they did not come in time, is logged saying which. A dry run
 * asks for none, and ends by saying what it could not decode for want of them.
 */
export function createSparkplugBirths(ctx: Pick<BridgeContext, 'clock' | 'logger' | 'dryRun'>, rebirths: Counter): SparkplugBirths {
  const wait = createRebirthWait(() => ctx.clock.monotonicNow());
  const dryRun = ctx.dryRun ? createDryRunBirths() : undefined;
  let ask: ((group: string, edgeNode: string) => void) | undefined;
  return {
    startAsking(publish, encode) {
      ask = createRebirthRequester(ctx, publish, encode, (group, edgeNode) => {
        rebirths.inc();
        wait.asked(`${group}/${edgeNode}`);
      });
    },
    decoded(name, route, result) {
      const topic = route.sparkplug;
      if (!topic) return () => '';
      const node = `${topic.group}/${topic.edgeNode}`;
      if (topic.type === 'NBIRTH') {
        wait.born(node);
        dryRun?.born(node);
      }
      if (result.problems.some((p) => p.kind === 'unknown_alias')) dryRun?.undecoded(name, node, route.sub.rebirth);
      const asking = ask !== undefined && route.sub.rebirth;
      // Asked first: the unknown aliases of a node whose births the bridge now waits for are expected.
      if (result.rebirth && asking) ask!(result.rebirth.group, result.rebirth.edgeNode);
      const standing = result.rebirth ? wait.standing(node) : undefined;
      return (problem) => {
        if (problem.kind !== 'unknown_alias' || !asking) return '';
        // Not logged: the bridge started after the births and asked for them again (an info line says so).
        return standing === 'waiting' ? undefined : afterRequest(standing, topic.group, topic.edgeNode);
      };
    },
    closing: () => dryRun?.summary(),
  };
}

/** What an unknown alias's warning adds about the rebirth the bridge asks the edge node for. */
function afterRequest(standing: Exclude<RebirthStanding, 'waiting'>, group: string, edgeNode: string): string {
  if (standing === 'answered') return ' (the births the edge node sent since the bridge asked for them do not define it either)';
  // Not asked: the requests of the last interval reached their bound.
  if (standing === undefined) return ` (not sent yet: at most ${MAX_REBIRTHS_PER_INTERVAL} requests go out every ${REBIRTH_INTERVAL_MS / 1000} s; a later DATA of the node asks)`;
  const command = excerpt(`spBv1.0/${group}/NCMD/${edgeNode}`, 200);
  return ` (no birth came within ${REBIRTH_ANSWER_MS / 1000} s of the bridge's request on ${command}: does the edge node answer Node Control/Rebirth, and does the broker's ACL let the bridge publish there?)`;
}
