import { createHash } from 'node:crypto';

/** Topics whose last message is remembered, least recently heard forgotten first. */
export const MAX_RETAINED_TOPICS = 10_000;
/** Topics longer than this are not remembered (their retained messages always go through). */
const MAX_TOPIC_LENGTH = 512;
/** Payloads up to this size are kept as they are; larger ones by their SHA-256. */
const MAX_KEPT_BYTES = 1024;

/** The last message taken on a topic. */
interface Last {
  /** The rule that decoded it: a new mapping for the topic reads its retained message again. */
  rule: string;
  length: number;
  /** The payload as latin1 text, or its SHA-256 when longer than {@link MAX_KEPT_BYTES}. */
  content: string;
  /** Points it gave. */
  points: number;
  /** The connection in which a retained message on the topic was last looked at. */
  looked: number;
}

/**
 * What was last taken on each topic that carries retained messages, so that a retained message a
 * re-subscription brings again (after a reconnect of a clean session, or a SIGHUP reload) is
 * recognised when it repeats it: the broker's copy of a value already delivered, which would
 * otherwise come back as a new point with a new timestamp. Only a repeat of the last message is
 * recognised: a retained message that differs from it (a value published while the bridge was
 * away) is new. A topic is remembered from its first retained message on (one published retained
 * while the bridge was subscribed arrives without the flag, so it is known from its next
 * delivery); bounded to {@link MAX_RETAINED_TOPICS} topics, each payload by at most 1 KiB.
 * A subscription brings a topic's retained message once: a second one in the same connection is
 * live (a broker that flags live messages retained, as MQTT 5's "retain as published" does or one
 * against the specification) and goes through, so repeats of a steady value are not lost.
 */
export interface RetainedMemory {
  /**
   * For a message that came retained: the points the last message on `topic` gave, when this one
   * repeats it under the same `rule` (leave it out), else undefined.
   */
  repeat(topic: string, payload: Uint8Array, rule: string): number | undefined;
  /**
   * For a message that came retained: true when a message on `topic` was taken earlier in this
   * connection, so this retained copy is older than it, or the same. A persistent session's
   * queued messages come before the SUBACK that brings the retained copy: read, it would make a
   * value published before them the latest. Only a topic's first retained message of a connection
   * is the broker's copy (see above); topics are noted up to {@link MAX_RETAINED_TOPICS} per connection.
   */
  stale(topic: string): boolean;
  /** A connection began: each topic's retained message may come once more. */
  connected(): void;
  /** Records a message taken on `topic` (remembered when it came retained, or one did before). */
  took(topic: string, payload: Uint8Array, rule: string, retained: boolean, points: number): void;
  /** Topics remembered. */
  readonly size: number;
}

function contentOf(payload: Uint8Array): string {
  if (payload.length > MAX_KEPT_BYTES) return createHash('sha256').update(payload).digest('base64');
  return Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('latin1');
}

/** Creates an empty {@link RetainedMemory}. */
export function createRetainedMemory(maxTopics = MAX_RETAINED_TOPICS): RetainedMemory {
  const last = new Map<string, Last>();
  let connection = 0;
  // This connection's topics that took a live message, and those whose retained copy came.
  const live = new Set<string>();
  const copied = new Set<string>();
  const note = (set: Set<string>, topic: string): void => {
    if (set.size < maxTopics && topic.length <= MAX_TOPIC_LENGTH) set.add(topic);
  };
  return {
    stale(topic) {
      if (copied.has(topic)) return false;
      note(copied, topic);
      return live.has(topic);
    },
    repeat(topic, payload, rule) {
      const known = last.get(topic);
      if (!known || known.looked === connection) return undefined;
      known.looked = connection;
      if (known.rule !== rule || known.length !== payload.length || known.content !== contentOf(payload)) return undefined;
      return known.points;
    },
    connected() {
      connection += 1;
      live.clear();
      copied.clear();
    },
    took(topic, payload, rule, retained, points) {
      if (!retained) note(live, topic);
      const known = last.get(topic);
      if (topic.length > MAX_TOPIC_LENGTH || (!retained && !known)) return;
      last.delete(topic);
      last.set(topic, { rule, length: payload.length, content: contentOf(payload), points, looked: retained ? connection : (known?.looked ?? -1) });
      if (last.size > maxTopics) last.delete(last.keys().next().value!);
    },
    get size() {
      return last.size;
    },
  };
}
