import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Delivery guarantee of the WebSocket sink; the `mode` label of `fieldbridge_ws_delivery_guarantee`.
 * `at_least_once`: a batch leaves the spool on the server's `ack` (it stored the frames).
 * `at_least_once_read`: the server has no acks; a batch leaves the spool on the pong that follows
 * its frames (the server read them; one that then fails to store them without saying so loses them).
 */
export type WsDeliveryMode = 'at_least_once' | 'at_least_once_read';

/** The WebSocket transport's Prometheus metrics. */
export interface WsMetrics {
  connected: Gauge;
  guarantee: Gauge<'mode'>;
  connects: Counter<'result'>;
  possiblyLostFrames: Counter;
  possiblyLostPoints: Counter;
  unconfirmedFrames: Counter;
  unconfirmedPoints: Counter;
  serverErrors: Counter<'code'>;
  control: Counter<'type'>;
  oversized: Counter;
  setMode(mode: WsDeliveryMode): void;
}

/** Registers the WebSocket metrics on `registry`. One transport per registry. */
export function createWsMetrics(registry: Registry): WsMetrics {
  const registers = [registry];
  const guarantee = new Gauge({
    name: 'fieldbridge_ws_delivery_guarantee',
    help:
      '1 for the delivery guarantee in force: at_least_once (the server acknowledges frames once stored) or at_least_once_read ' +
      '(it does not: a frame counts as delivered once the pong after it proves the server read it).',
    labelNames: ['mode'],
    registers,
  });
  return {
    connected: new Gauge({ name: 'fieldbridge_ws_connected', help: '1 while the WebSocket is authenticated.', registers }),
    guarantee,
    connects: new Counter({ name: 'fieldbridge_ws_connects_total', help: 'Connection attempts by result (authenticated, refused, failed).', labelNames: ['result'], registers }),
    possiblyLostFrames: new Counter({
      name: 'fieldbridge_ws_frames_possibly_lost_total',
      help: 'Telemetry frames the server refused with an error frame after its pong had confirmed them (servers without acks): their points had left the spool and are lost.',
      registers,
    }),
    possiblyLostPoints: new Counter({ name: 'fieldbridge_ws_points_possibly_lost_total', help: 'Points in fieldbridge_ws_frames_possibly_lost_total.', registers }),
    unconfirmedFrames: new Counter({
      name: 'fieldbridge_ws_frames_unconfirmed_total',
      help: 'Telemetry frames written but not yet confirmed (ack or pong) when the connection dropped: their batches stay in the spool and are sent again, so the server may receive them twice.',
      registers,
    }),
    unconfirmedPoints: new Counter({ name: 'fieldbridge_ws_points_unconfirmed_total', help: 'Points in fieldbridge_ws_frames_unconfirmed_total.', registers }),
    serverErrors: new Counter({ name: 'fieldbridge_ws_server_errors_total', help: 'error frames received from the server, by code.', labelNames: ['code'], registers }),
    control: new Counter({ name: 'fieldbridge_ws_control_messages_total', help: 'Control messages received from the server, by type.', labelNames: ['type'], registers }),
    oversized: new Counter({ name: 'fieldbridge_ws_oversized_messages_total', help: 'Server messages refused for their size (the connection is closed and made again).', registers }),
    setMode(mode) {
      guarantee.set({ mode: 'at_least_once' }, mode === 'at_least_once' ? 1 : 0);
      guarantee.set({ mode: 'at_least_once_read' }, mode === 'at_least_once_read' ? 1 : 0);
    },
  };
}
