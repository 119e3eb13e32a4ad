import type { ProblemReporter } from '@fieldbridge/core';
import type { DecodeErrorKind } from './decode.js';

/** Topics tracked one by one; past this, problems are grouped per subscription and kind. */
export const MAX_TRACKED_TOPICS = 10_000;

/**
 * Decode problems as episodes per topic and kind: the first occurrence on a topic is logged,
 * later ones are counted, and the episode ends (logged as recovered) with the next message on
 * that topic that decodes cleanly. Bounded: beyond {@link MAX_TRACKED_TOPICS} topics with open
 * episodes, problems share one episode per subscription and kind.
 */
export class TopicProblems {
  private readonly open = new Map<string, Set<string>>();

  constructor(private readonly problems: ProblemReporter) {}

  /** Records one problem of `kind` on `topic`. */
  report(subscription: string, topic: string, kind: DecodeErrorKind, message: string): void {
    let keys = this.open.get(topic);
    if (!keys && this.open.size >= MAX_TRACKED_TOPICS) {
      this.problems.report(`mqtt.${subscription}.${kind}.*`, `subscription ${subscription}: ${message} (on ${topic}; more than ${MAX_TRACKED_TOPICS} topics have problems, so they are grouped)`, { subscription, kind });
      return;
    }
    if (!keys) {
      keys = new Set();
      this.open.set(topic, keys);
    }
    const key = `mqtt.${subscription}.${kind}.${topic}`;
    keys.add(key);
    this.problems.report(key, `subscription ${subscription}: ${topic}: ${message}`, { subscription, topic, kind });
  }

  /** A message on `topic` decoded cleanly: ends its open episodes. */
  clean(topic: string): void {
    const keys = this.open.get(topic);
    if (!keys) return;
    this.open.delete(topic);
    for (const key of keys) this.problems.resolve(key, `${topic}: messages decode again`);
  }
}
