import { Counter, Gauge, type Registry } from 'prom-client';
import { metricOnce } from '@fieldbridge/core/bridge';

/**
 * The metrics only OPC UA has. Points, NotificationMessages (`messages`), problems by kind,
 * points held back by the change filter and the connection's state are the kit's standard ones
 * (`fieldbridge_source_*{bridge="opcua",channel=<endpoint>}`).
 */
export interface OpcuaMetrics {
  /** `fieldbridge_opcua_connects_total{result}`: first-connect attempts (`ok`, `failed`); node-opcua's own reconnections are `reconnects`. */
  connects: Counter<'result'>;
  /** `fieldbridge_opcua_reconnects_total`: outages after which the session and its items came back. */
  reconnects: Counter;
  /** `fieldbridge_opcua_gap_seconds_total`: time without data across those outages. */
  gapSeconds: Counter;
  /** `fieldbridge_opcua_server_restarts_total`: those reconnects whose new session found a new server StartTime (the server restarted). */
  serverRestarts: Counter;
  /** `fieldbridge_opcua_monitored_items{state}`: items `active`, `refused` by the server, or `unresolved` (not found). */
  items: Gauge<'state'>;
  /** `fieldbridge_opcua_subscriptions`: subscriptions the items are spread over (more than one when the server takes fewer items in one than there are). */
  subscriptions: Gauge;
  /** `fieldbridge_opcua_queue_overflows_total`: values the server flagged after dropping older ones from a full queue. */
  overflows: Counter;
  /** `fieldbridge_opcua_holds_total`: holds of the publish acknowledgements while the spool was full (`when_full: block`). */
  holds: Counter;
  /** `fieldbridge_opcua_held`: 1 while notifications are held at the server. */
  held: Gauge;
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createOpcuaMetrics(registry: Registry): OpcuaMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
    metricOnce(registry, name, () => new Counter<L>({ name, help, labelNames, registers }));
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> =>
    metricOnce(registry, name, () => new Gauge<L>({ name, help, labelNames, registers }));
  return {
    connects: counter('fieldbridge_opcua_connects_total', 'Attempts to open the session and subscription, by result (ok, failed).', ['result']),
    reconnects: counter('fieldbridge_opcua_reconnects_total', 'Connection losses after which the session and every monitored item were re-established.'),
    gapSeconds: counter('fieldbridge_opcua_gap_seconds_total', 'Seconds without data from the server across those losses.'),
    serverRestarts: counter('fieldbridge_opcua_server_restarts_total', 'Reconnects after which the server had a new StartTime: it restarted during the loss.'),
    items: gauge('fieldbridge_opcua_monitored_items', 'Monitored items by state: active, refused by the server, unresolved (node not found).', ['state']),
    subscriptions: gauge('fieldbridge_opcua_subscriptions', 'Subscriptions the monitored items are spread over (the server takes at most MaxMonitoredItemsPerSubscription in one).'),
    overflows: counter('fieldbridge_opcua_queue_overflows_total', 'Values the server flagged as following a queue overflow (older values were dropped there; raise queue_size).'),
    holds: counter('fieldbridge_opcua_holds_total', 'Times the publish acknowledgements were held because the spool was full (when_full: block).'),
    held: gauge('fieldbridge_opcua_held', '1 while notifications are held at the server because the spool is full.'),
  };
}
