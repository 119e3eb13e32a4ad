import { Counter, Gauge, type Registry } from 'prom-client';

/** Delivery guarantee of the WebSocket sink; the `mode` label of `fieldbridge_ws_delivery_guarantee`. */
export type WsDeliveryMode = 'at_least_once' | 'at_most_once_in_flight';

/** The WebSocket transport's Prometheus metrics. */
export interface WsMetrics {
  connected: Gauge;
  guarantee: Gauge<'mode'>;
  connects: Counter<'result'>;
  possiblyLostFrames: Counter;
  possiblyLostPoints: Counter;
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
    help: '1 for the delivery guarantee in force: at_least_once (the server acknowledges frames) or at_most_once_in_flight (it does not: frames in flight at a disconnect can be lost).',
    labelNames: ['mode'],
    registers,
  });
  return {
    connected: new Gauge({ name: 'fieldbridge_ws_connected', help: '1 while the WebSocket is authenticated.', registers }),
    guarantee,
    connects: new Counter({ name: 'fieldbridge_ws_connects_total', help: 'Connection attempts by result (authenticated, refused, failed).', labelNames: ['result'], registers }),
    possiblyLostFrames: new Counter({
      name: 'fieldbridge_ws_frames_possibly_lost_total',
      help: 'Telemetry frames written but not confirmed by the server when the connection dropped, without acks (they may be lost).',
      registers,
    }),
    possiblyLostPoints: new Counter({ name: 'fieldbridge_ws_points_possibly_lost_total', help: 'Points in fieldbridge_ws_frames_possibly_lost_total.', registers }),
    serverErrors: new Counter({ name: 'fieldbridge_ws_server_errors_total', help: 'error frames received from the server, by code.', labelNames: ['code'], registers }),
    control: new Counter({ name: 'fieldbridge_ws_control_messages_total', help: 'Control messages received from the server, by type.', labelNames: ['type'], registers }),
    oversized: new Counter({ name: 'fieldbridge_ws_oversized_messages_total', help: 'Server messages refused for their size (the connection is closed and made again).', registers }),
    setMode(mode) {
      guarantee.set({ mode: 'at_least_once' }, mode === 'at_least_once' ? 1 : 0);
      guarantee.set({ mode: 'at_most_once_in_flight' }, mode === 'at_most_once_in_flight' ? 1 : 0);
    },
  };
}
