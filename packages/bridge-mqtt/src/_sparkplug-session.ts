import { excerpt, type Point } from '@fieldbridge/core/bridge';
import { SEQ_LATE_WINDOW, seqExpected, seqOf, seqSkipped } from './_sparkplug-seq.js';
import type { DecodeProblem, DecodeResult, TopicRoute } from './decode.js';
import type { SparkplugContext, SparkplugTopic } from './decode-sparkplug.js';
import type { SparkplugPayload } from './sparkplug-codec.js';
import type { SparkplugNodeScope, SparkplugScope, SparkplugState } from './sparkplug-state.js';

/**
 * What the edge node's session says of a Sparkplug B message, for `decodeSparkplug`: whether it
 * comes after a death that voided the births it needs, whether its seq follows on, and what its
 * birth teaches. The problems say what the bridge does about each (a rebirth request or not).
 */

/** What decoding one message gathers. */
export interface Emit {
  route: TopicRoute;
  receivedAtMs: number;
  topic: SparkplugTopic;
  points: Point[];
  problems: DecodeProblem[];
  /** Set when an alias was unknown: the node's birth is needed. */
  rebirth: boolean;
  /** Values of metrics flagged `is_transient` held back (see {@link DecodeResult.transient}). */
  transient: { count: number; first: string } | undefined;
  /** See {@link SparkplugContext.noRebirth}. */
  noRebirth: boolean;
}

/** What a problem that needs the node's births says is done about it; `otherwise` without `rebirth: true`. */
export function rebirthText(emit: Emit, otherwise: string): string {
  if (!emit.route.sub.rebirth) return otherwise;
  return emit.noRebirth ? 'no rebirth is requested in a dry run (the bridge itself would request one): it is read once the edge node publishes its births' : 'a rebirth is requested (Node Control/Rebirth)';
}

/**
 * DATA from an edge node (or device) whose death voided its births, or a DBIRTH of a device of a
 * dead node: its aliases and datatypes may have changed with its next session, and a device is not
 * online while its node is not, so nothing is read until the node is born again (Sparkplug B: a
 * host application does not accept device messages of an offline node, and asks for a rebirth).
 */
export function afterDeath(emit: Emit, death: 'NDEATH' | 'DDEATH'): void {
  const { topic } = emit;
  const who = excerpt([topic.group, topic.edgeNode, topic.device].filter((p) => p !== '').join('/'), 200);
  const birth = death === 'NDEATH' ? 'NBIRTH' : 'DBIRTH';
  // A DBIRTH is void for want of a birth of its own node, not for a death of its own.
  const why =
    topic.type === 'DBIRTH'
      ? `DBIRTH from ${who} after the edge node's NDEATH, before its new NBIRTH: the device is not taken as online nor its metrics read (the NBIRTH was lost, or comes later)`
      : `${topic.type} from ${who} after its ${death}, before a new ${birth}: not read (the births it was sent under are void)`;
  emit.rebirth = true;
  emit.problems.push({ kind: 'no_birth', message: `${why}; ${rebirthText(emit, 'set rebirth: true on this subscription to ask the edge node for its births')}` });
}

/**
 * Follows the edge node's `seq`. One that skips says messages of the node were lost (QoS 0, while
 * the bridge was disconnected) or came out of order: a DBIRTH among them may have given its
 * aliases other metrics, so the node is asked for its births again (Sparkplug B: a host that
 * sees an out-of-order seq requests a rebirth). The message is read meanwhile. A message the gap
 * skipped that comes after all (reordered on the way, as clustered brokers do) is read without a
 * second gap, and the seq goes on from the message that skipped it.
 */
export function followSeq(emit: Emit, node: SparkplugNodeScope, payload: SparkplugPayload): void {
  const seq = seqOf(payload);
  // One the last gap skipped, arriving late: that gap asked for the births already, and the count goes on from the message that skipped it.
  const late = seqSkipped(node.skipped, seq);
  if (node.skipped && --node.skipped.left <= 0) node.skipped = undefined;
  if (late) return;
  const expected = seqExpected(node.seq, seq);
  if (seq !== undefined) node.seq = seq;
  if (expected === undefined) return;
  node.skipped = { from: expected, count: (seq! - expected + 256) % 256, left: SEQ_LATE_WINDOW };
  const { topic } = emit;
  const who = excerpt([topic.group, topic.edgeNode, topic.device].filter((p) => p !== '').join('/'), 200);
  emit.rebirth = true;
  emit.problems.push({
    kind: 'seq_gap',
    message: `${topic.type} from ${who} has seq ${seq} where ${expected} was next: messages of the edge node were lost or came out of order, and a birth among them may have changed what its aliases name; read as it came, and ${rebirthText(emit, 'set rebirth: true on this subscription to ask the edge node for its births again')}`,
  });
}

/** Records a birth certificate's aliases and datatypes, saying so when the state's bounds cut it short. */
export function learn(emit: Emit, state: SparkplugState, node: SparkplugNodeScope, scope: SparkplugScope, payload: SparkplugPayload): void {
  if (state.learn(node, scope, payload)) return;
  const who = excerpt([emit.topic.group, emit.topic.edgeNode, emit.topic.device].filter((p) => p !== '').join('/'), 200);
  emit.problems.push({ kind: 'too_many_metrics', message: `the birth of ${who} defines more metrics than the bridge keeps for all edge nodes together; the rest are read as unknown aliases` });
}
