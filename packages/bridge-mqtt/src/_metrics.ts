import { Counter, type Registry } from 'prom-client';
import { metricOnce } from '@fieldbridge/core/bridge';

/**
 * MQTT's own Prometheus metrics. Points, messages, errors by kind and connection state are the
 * kit's standard ones (`fieldbridge_source_*{bridge="mqtt",channel=<subscription>}`).
 */
export interface MqttMetrics {
  /** `fieldbridge_mqtt_connects_total{result}`: connection attempts (`ok`, `failed`). */
  connects: Counter<'result'>;
  /** `fieldbridge_mqtt_packets_too_large_total`: packets over `max_packet_size` refused (a message acknowledged unread; any other packet drops the connection). */
  packetsTooLarge: Counter;
  /** `fieldbridge_mqtt_sparkplug_rebirths_total`: NCMD Rebirth requests published. */
  rebirths: Counter;
  /** `fieldbridge_mqtt_sessions_lost_total`: reconnects with `clean: false` whose session the broker had not kept. */
  sessionsLost: Counter;
  /** `fieldbridge_mqtt_sessions_taken_over_total`: connections closed because another client connected with the same client id. */
  sessionsTakenOver: Counter;
  /** `fieldbridge_mqtt_sparkplug_nodes_evicted_total`: edge nodes forgotten to keep the Sparkplug tables bounded. */
  sparkplugEvictions: Counter;
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createMqttMetrics(registry: Registry): MqttMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
    metricOnce(registry, name, () => new Counter<L>({ name, help, labelNames, registers }));
  return {
    connects: counter('fieldbridge_mqtt_connects_total', 'Connection attempts to the broker, by result (ok, failed).', ['result']),
    packetsTooLarge: counter('fieldbridge_mqtt_packets_too_large_total', 'Packets larger than max_packet_size the broker sent, never read: a message is acknowledged unread (lost, logged with its topic), any other packet dropped the connection.'),
    rebirths: counter('fieldbridge_mqtt_sparkplug_rebirths_total', 'Sparkplug NCMD Node Control/Rebirth requests published for unknown aliases.'),
    sessionsLost: counter('fieldbridge_mqtt_sessions_lost_total', 'Reconnections with clean: false whose session the broker had not kept (restarted without persistence, or the session expired): QoS 1/2 messages published while disconnected may be lost.'),
    sessionsTakenOver: counter(
      'fieldbridge_mqtt_sessions_taken_over_total',
      'Connections the broker closed because another client connected with the same client id: those it closed with MQTT 5 reason code 0x8E (session taken over), and those of a run of 3 or more in a row it closed soon after accepting them without a reason.',
    ),
    sparkplugEvictions: counter('fieldbridge_mqtt_sparkplug_nodes_evicted_total', 'Sparkplug edge nodes forgotten (least recently heard first) to keep their alias tables within bounds.'),
  };
}
