import type { FlowControl, FlowStats } from './flow-control.js';
import type { EventSpec, FolderSpec, VariableSpec } from './item-spec.js';
import type { NotificationBatch } from './notifications.js';

/** Where a monitored thing stands: waiting to be created, monitored, refused by the server, or not found. */
export type TargetState = 'pending' | 'active' | 'refused' | 'unresolved';

/** Options of `subscribe()`. */
export interface SubscriptionOptions {
  /** How often the server sends what changed, in ms (10 .. 3600000). Default 1000. */
  publishingIntervalMs?: number;
  variables?: readonly VariableSpec[];
  folders?: readonly FolderSpec[];
  events?: readonly EventSpec[];
  /** How often items the server refused, or nodes not found, are tried again, in ms. Default 60000. */
  retryRefusedMs?: number;
  /**
   * False: no timer of its own; the caller calls `retryNow()` every `retryRefusedMs` (the bridge
   * does, to read the item states right after each retry). Default true.
   */
  retryTimer?: boolean;
  /**
   * How long the server keeps the subscription without Publish requests, in ms: an outage or a
   * flow-control hold can last this long without losing the server's queues. Default 600000.
   */
  subscriptionLifetimeMs?: number;
  /** Most notifications in one message (0: as many as the server likes). Default 0. */
  maxNotificationsPerPublish?: number;
  /** Receives the records of each NotificationMessage, in order. Exceptions are logged and swallowed. */
  onData: (batch: NotificationBatch) => void;
  /** Hears about items and fields the server refused, nodes not found, folders cut short. Without it, each is logged at warn. */
  onProblem?: (problem: SubscriptionProblem) => void;
  /**
   * Called once a subscription the server closed (`subscription_recreated`) was made again and
   * its items asked for, so the caller can read their states again.
   */
  onRecreated?: () => void;
  /**
   * Called once what node-opcua re-created after a reconnect was checked and, after a new session
   * (a server restart), the items not monitored were tried again, so the caller can read their
   * states again.
   */
  onRestored?: () => void;
  /**
   * Called after a rescan changed what a folder monitors (variables new or gone, the folder itself
   * gone) or what it leaves out, so the caller can read the item states again. The change is
   * logged already; a new cut is reported as `folder_truncated` too.
   */
  onFolderChanged?: (change: FolderChange) => void;
  /** Epoch-ms clock for receipt times (the `local` timestamps). Default `Date.now`. */
  now?: () => number;
}

/** What a rescan changed below one folder. */
export interface FolderChange {
  /** The folder entry's key. */
  key: string;
  /** Browse paths below the folder of the variables now monitored too, and of those no longer. */
  added: string[];
  removed: string[];
  /** What the folder leaves out now (`folder_truncated`); undefined: nothing. */
  cut?: string;
  /** The folder itself cannot be found or browsed any more: it is looked for again every `retryRefusedMs`. */
  gone?: string;
}

/** Something about the subscription that someone may need to fix. */
export interface SubscriptionProblem {
  kind:
    /** The server refused to monitor a node (e.g. BadNodeIdUnknown); it is tried again every `retryRefusedMs`. */
    | 'item_refused'
    /** A browse path, namespace URI or folder names nothing on the server, or an event entry's node reports no events; tried again too. */
    | 'node_unresolved'
    /** An event field the server cannot select: it stays null in the records. */
    | 'event_field_refused'
    /** A folder had more variables than `max_items`, or objects with more below them at `max_depth`. */
    | 'folder_truncated'
    /** The server closed the subscription (its lifetime ran out); it was created again. */
    | 'subscription_recreated';
  message: string;
  /** The key of the item concerned (of the folder's entry for `folder_truncated`); none for `subscription_recreated`. */
  item?: string;
}

/** Where one monitored thing stands, for status pages and `--check`-like listings. */
export interface ItemStatus {
  key: string;
  kind: 'value' | 'event';
  /** How the mapping named it. */
  label: string;
  /** The node with its namespace URI, once found. */
  nodeId?: string;
  browsePath?: readonly string[];
  state: TargetState;
  message?: string;
  /** What a monitored variable's item asked for and what the server granted (it may revise both). */
  sampling?: ItemSampling;
  /** What a monitored event notifier's item asked for as its queue and what the server granted. */
  eventQueue?: EventQueue;
}

/** An event notifier's queue size (events the server keeps between two publishes), as asked and as granted. */
export interface EventQueue {
  askedSize: number;
  grantedSize: number;
}

/** A monitored variable's sampling interval (ms) and queue size, as asked and as granted. */
export interface ItemSampling {
  askedIntervalMs: number;
  grantedIntervalMs: number;
  askedQueueSize: number;
  grantedQueueSize: number;
}

/** Counters of a subscription. */
export interface SubscriptionStats {
  /** NotificationMessages with data received. */
  messages: number;
  values: number;
  events: number;
  decodeProblems: number;
  /** Values flagged as following a server-side queue overflow. */
  overflows: number;
  /**
   * Times a subscription was created again with its items, on the server's side lost (a server
   * restart, a lifetime run out): what the server had queued for it then was lost too. Each
   * subscription counts.
   */
  recreations: number;
  /** NotificationMessages handed over a second time (a Republish after a reconnect racing a Publish), left out. */
  duplicates: number;
  active: number;
  refused: number;
  unresolved: number;
  /**
   * Subscriptions the items are spread over: one, unless the server takes fewer items in one
   * subscription (its MaxMonitoredItemsPerSubscription) than there are. Each has the same
   * publishing settings.
   */
  subscriptions: number;
  /** The most items the server takes in one subscription, as it says (MaxMonitoredItemsPerSubscription) or as its refusals showed; absent when neither told. */
  itemsPerSubscription?: number;
  /** The publishing interval the server granted, in ms (the slowest, should it grant its subscriptions different ones). */
  publishingIntervalMs: number;
  /** How long the server keeps the subscriptions without Publish requests, in ms (the shortest). */
  lifetimeMs: number;
  flow: FlowStats;
}

/** A running subscription. */
export interface OpcuaSubscription {
  /** Holds notifications at the server while the consumer is full (see {@link FlowControl}). */
  readonly flow: FlowControl;
  /** Each item, and one `unresolved` entry per folder not found yet. */
  items(): ItemStatus[];
  stats(): SubscriptionStats;
  /** Tries the refused and unresolved items again now. */
  retryNow(): Promise<void>;
  /** Browses the found folders again now (those whose rescan is not off), as their period does. */
  rescanNow(): Promise<void>;
  /** Deletes the subscription at the server (within 2 s) and stops everything. Idempotent. */
  close(): Promise<void>;
}
