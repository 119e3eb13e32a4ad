import { Counter, Gauge, type Registry } from 'prom-client';

/** The bridge's Prometheus metrics. */
export interface MqttMetrics {
  /** `fieldbridge_mqtt_messages_total{subscription}`: messages received (`subscription="none"` when no filter matched). */
  messages: Counter<'subscription'>;
  /** `fieldbridge_mqtt_decode_errors_total{subscription,kind}`: decode problems by kind. */
  decodeErrors: Counter<'subscription' | 'kind'>;
  /** `fieldbridge_mqtt_points_total{subscription}`: points written to the sink. */
  points: Counter<'subscription'>;
  /** `fieldbridge_mqtt_connected`: 1 while connected to the broker. */
  connected: Gauge;
  /** `fieldbridge_mqtt_connects_total{result}`: connection attempts (`ok`, `failed`). */
  connects: Counter<'result'>;
  /** `fieldbridge_mqtt_sparkplug_rebirths_total`: NCMD Rebirth requests published. */
  rebirths: Counter;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createMqttMetrics(registry: Registry): MqttMetrics {
  const registers = [registry];
  return {
    messages:
      existing(registry, 'fieldbridge_mqtt_messages_total') ??
      new Counter({ name: 'fieldbridge_mqtt_messages_total', help: 'MQTT messages received, by subscription ("none": no filter matched).', labelNames: ['subscription'], registers }),
    decodeErrors:
      existing(registry, 'fieldbridge_mqtt_decode_errors_total') ??
      new Counter({
        name: 'fieldbridge_mqtt_decode_errors_total',
        help: 'Messages or values that could not be decoded, by kind: no_rule, invalid_json, not_a_number, missing_value, bad_timestamp, invalid_sparkplug, unknown_alias, ...',
        labelNames: ['subscription', 'kind'],
        registers,
      }),
    points:
      existing(registry, 'fieldbridge_mqtt_points_total') ??
      new Counter({ name: 'fieldbridge_mqtt_points_total', help: 'Points decoded from MQTT messages and written to the sink.', labelNames: ['subscription'], registers }),
    connected:
      existing(registry, 'fieldbridge_mqtt_connected') ??
      new Gauge({ name: 'fieldbridge_mqtt_connected', help: '1 while connected to the MQTT broker, 0 otherwise.', registers }),
    connects:
      existing(registry, 'fieldbridge_mqtt_connects_total') ??
      new Counter({ name: 'fieldbridge_mqtt_connects_total', help: 'Connection attempts to the broker, by result (ok, failed).', labelNames: ['result'], registers }),
    rebirths:
      existing(registry, 'fieldbridge_mqtt_sparkplug_rebirths_total') ??
      new Counter({ name: 'fieldbridge_mqtt_sparkplug_rebirths_total', help: 'Sparkplug NCMD Node Control/Rebirth requests published for unknown aliases.', registers }),
  };
}
