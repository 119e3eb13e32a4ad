import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { Takeover, TakeoverWatch } from './_takeover.js';

/** One subscription as the broker sees it. */
export interface SessionSubscription {
  name: string;
  /** The filter as sent, `$share/...` prefix included. */
  topic: string;
  qos: 0 | 1 | 2;
  /** MQTT 5: the Subscription Identifier to subscribe with, where the broker takes them. */
  identifier?: number | undefined;
}

/** What the session tells the source. */
export interface SessionHooks {
  /** Connected (CONNACK accepted). */
  onConnected(sessionPresent: boolean): void;
  /**
   * The broker's session let go of `filters`, which the mapping no longer has; it refused to let
   * go of those in `refused` (MQTT 5 UNSUBACK reason codes from 0x80 up), tried again at the next
   * connection.
   */
  onUnsubscribed(filters: string[], refused: { filter: string; reason: string }[]): void;
  /**
   * An attempt failed, or (`wasUp`) a connection that was up went away; the next attempt is in
   * `retryInMs`. `refused`: for a reason someone must fix (credentials, a certificate), which a
   * retry does not change.
   */
  onDown(reason: string, retryInMs: number, wasUp: boolean, refused: boolean): void;
  /** The broker answered a SUBSCRIBE (or the session kept it). `refused` holds the broker's reason. */
  onSubscription(name: string, result: { ok: true; restored: boolean } | { ok: false; refused: string }): void;
  /**
   * Before a message is taken: a promise to wait for (flow control), or undefined to go on.
   * While it is pending the message is not acknowledged and nothing more is read.
   */
  beforeMessage(): Promise<void> | undefined;
  onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void;
  /**
   * The broker sent a packet of `size` bytes, over `maxPacketBytes`. A PUBLISH (`topic` given,
   * cut to its first 1 KiB) was acknowledged without being read, and the session goes on; any
   * other packet (no `topic`) drops the connection.
   */
  onPacketTooLarge(size: number, topic?: string): void;
  /**
   * The connection that just closed (reported by `onDown` first) reads as another client taking
   * the session over: the broker said so (MQTT 5 reason code 0x8E), or closed several connections
   * in a row soon after accepting them (see {@link TakeoverWatch}).
   */
  onTakenOver(evidence: Takeover): void;
}

/** Options of {@link MqttSession}. */
export interface SessionOptions {
  clientOptions: IClientOptions & { url: string };
  subscriptions: SessionSubscription[];
  /**
   * The topic filters the broker's session for this client id holds, as far as this process
   * knows. Given the set of the session a reload replaced, the filters the mapping no longer has
   * are unsubscribed at the next connect whose session the broker kept. Default: a new set.
   */
  heldFilters?: Set<string>;
  reconnect: { initialMs: number; maxMs: number; stableMs?: number };
  /** Largest packet read: a larger PUBLISH is acknowledged unread, any other larger packet drops the connection. */
  maxPacketBytes: number;
  hooks: SessionHooks;
  random?: () => number;
  /** Creates the client; defaults to mqtt.js's `connect`, imported on first use. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}
