import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The bridge's Prometheus metrics. */
export interface ModbusMetrics {
  /** `fieldbridge_modbus_requests_total{device,table}`: read requests sent. */
  requests: Counter<'device' | 'table'>;
  /** `fieldbridge_modbus_errors_total{device,kind}`: failed tries by kind (timeout, exception name, ...). */
  errors: Counter<'device' | 'kind'>;
  /** `fieldbridge_modbus_poll_duration_seconds{device}`: one poll cycle, all requests. */
  pollDuration: Histogram<'device'>;
  /** `fieldbridge_modbus_device_up{device}`: 1 while the device answers, else 0. */
  deviceUp: Gauge<'device'>;
  /** `fieldbridge_modbus_points_read_total{device}`: points decoded. */
  pointsRead: Counter<'device'>;
  /** `fieldbridge_modbus_points_suppressed_total{device}`: points held back by their deadband. */
  pointsSuppressed: Counter<'device'>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createModbusMetrics(registry: Registry): ModbusMetrics {
  const registers = [registry];
  return {
    requests:
      existing(registry, 'fieldbridge_modbus_requests_total') ??
      new Counter({ name: 'fieldbridge_modbus_requests_total', help: 'Modbus read requests sent.', labelNames: ['device', 'table'], registers }),
    errors:
      existing(registry, 'fieldbridge_modbus_errors_total') ??
      new Counter({
        name: 'fieldbridge_modbus_errors_total',
        help: 'Failed Modbus tries by kind: timeout, connect, disconnected, bad_response, non_finite, or the exception name (illegal_data_address, ...).',
        labelNames: ['device', 'kind'],
        registers,
      }),
    pollDuration:
      existing(registry, 'fieldbridge_modbus_poll_duration_seconds') ??
      new Histogram({
        name: 'fieldbridge_modbus_poll_duration_seconds',
        help: 'Duration of one poll cycle of a device (every request), in seconds.',
        labelNames: ['device'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
    deviceUp:
      existing(registry, 'fieldbridge_modbus_device_up') ??
      new Gauge({ name: 'fieldbridge_modbus_device_up', help: '1 while the device answers, 0 otherwise.', labelNames: ['device'], registers }),
    pointsRead:
      existing(registry, 'fieldbridge_modbus_points_read_total') ??
      new Counter({ name: 'fieldbridge_modbus_points_read_total', help: 'Points decoded from Modbus answers.', labelNames: ['device'], registers }),
    pointsSuppressed:
      existing(registry, 'fieldbridge_modbus_points_suppressed_total') ??
      new Counter({ name: 'fieldbridge_modbus_points_suppressed_total', help: 'Points not sent because the change was within their deadband.', labelNames: ['device'], registers }),
  };
}
