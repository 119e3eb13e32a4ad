import { routeTopic, type TopicRoute } from './decode.js';
import type { ResolvedSubscription } from './resolve.js';
import { topicLevels, topicMatches } from './topic.js';

/** Topics whose route is kept; past it the one kept longest is forgotten. */
export const MAX_ROUTED_TOPICS = 10_000;

/** Topics longer than this are routed per message and not kept (a topic may be 64 KiB). */
const MAX_KEPT_TOPIC_CHARS = 512;

/**
 * Routes a topic to the first subscription whose filter matches it, with its {@link TopicRoute}
 * (levels split once, names filled once), kept for the next message on that topic. Bounded:
 * at most `maxTopics` routes, none for very long topics. Undefined when no filter matches.
 */
export function createRouter(subs: readonly ResolvedSubscription[], maxTopics = MAX_ROUTED_TOPICS): (topic: string) => TopicRoute | undefined {
  const routes = new Map<string, TopicRoute | null>();
  return (topic) => {
    const known = routes.get(topic);
    if (known !== undefined) return known ?? undefined;
    const levels = topicLevels(topic);
    const sub = subs.find((s) => topicMatches(s.topic, levels));
    const route = sub ? routeTopic(sub, topic, levels) : null;
    if (topic.length <= MAX_KEPT_TOPIC_CHARS) {
      if (routes.size >= maxTopics) routes.delete(routes.keys().next().value as string);
      routes.set(topic, route);
    }
    return route ?? undefined;
  };
}
