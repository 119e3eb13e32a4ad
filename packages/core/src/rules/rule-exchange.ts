import type { Point } from '../point/point.js';

/** A rule set's place in a {@link RuleExchange}. */
export interface ExchangeMembership {
  /**
   * Hands a point this member's sink took, with its source (the point's `source_id`, else the
   * member's own), to every other member. `provisional`: its timestamp is one the member's sink
   * clock gave before its first server sample, on the local clock still (a receiver reads it moved
   * by its own sink's offset). Never throws.
   */
  publish(point: Point, sourceId: string, provisional?: boolean): void;
  /** Takes the member out: it neither receives nor publishes any more. Idempotent. */
  leave(): void;
}

/**
 * Where the rule sets of several mapping files run together (`fieldbridge run a.yaml b.yaml`, or
 * one exchange passed to each `startBridges`) meet: each shows the others the points its own
 * sink took, so a rule that lists `sources:` can read a source another file reads. A rule
 * without `sources:` sees only its own file's points, so copies of one file per device do not
 * fire twice. Events stay with the file of the rule: they go to its own sink.
 */
export interface RuleExchange {
  /**
   * Adds a member: `receive` (when given) is called with every point another member publishes,
   * synchronously. A member without `receive` only publishes (a file none of whose rules list
   * `sources:` still shows its points to the others).
   */
  join(receive?: Receiver): ExchangeMembership;
}

/** What a member is handed: a point another member's sink took, as {@link ExchangeMembership.publish} gave it. */
export type Receiver = (point: Point, sourceId: string, provisional: boolean) => void;

/** An exchange for the rule sets of one run; pass it to every `startBridges` of the run (`ruleExchange`). */
export function createRuleExchange(): RuleExchange {
  const receivers = new Set<Receiver>();
  return {
    join(receive) {
      if (receive) receivers.add(receive);
      let member = true;
      return {
        publish(point, sourceId, provisional = false) {
          if (!member) return;
          for (const other of receivers) if (other !== receive) other(point, sourceId, provisional);
        },
        leave() {
          member = false;
          if (receive) receivers.delete(receive);
        },
      };
    },
  };
}
