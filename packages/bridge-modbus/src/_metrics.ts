import { Counter, Histogram, type Registry } from 'prom-client';
import { metricOnce } from '@fieldbridge/core/bridge';
import { exceptionName, type ModbusBridgeError } from './errors.js';

/**
 * The metrics only Modbus has. Points, errors by kind, polls skipped and each device's
 * connection state are the kit's standard ones (`ctx.metrics`, channel = the device).
 */
export interface ModbusMetrics {
  /** `fieldbridge_modbus_requests_total{device,table}`: read requests sent, retries included. */
  requests: Counter<'device' | 'table'>;
  /** `fieldbridge_modbus_poll_duration_seconds{device}`: one poll cycle, all requests. */
  pollDuration: Histogram<'device'>;
  /** `fieldbridge_modbus_busy_reads_total{device,table}`: reads given up for a poll, the device busy through every try. */
  busyReads: Counter<'device' | 'table'>;
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createModbusMetrics(registry: Registry): ModbusMetrics {
  const registers = [registry];
  const requests = 'fieldbridge_modbus_requests_total';
  const pollDuration = 'fieldbridge_modbus_poll_duration_seconds';
  const busyReads = 'fieldbridge_modbus_busy_reads_total';
  return {
    requests: metricOnce(registry, requests, () => new Counter({ name: requests, help: 'Modbus read requests sent, retries included.', labelNames: ['device', 'table'], registers })),
    pollDuration: metricOnce(registry, pollDuration, () =>
      new Histogram({
        name: pollDuration,
        help: 'Duration of one poll cycle of a device (every request), in seconds.',
        labelNames: ['device'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      })),
    busyReads: metricOnce(registry, busyReads, () =>
      new Counter({
        name: busyReads,
        help: 'Reads given up until the next poll because the device answered busy (exception 6, or 5 ACKNOWLEDGE) to every try; each busy answer is also an error of kind server_device_busy or acknowledge.',
        labelNames: ['device', 'table'],
        registers,
      })),
  };
}

/** The `kind` label of `fieldbridge_source_errors_total` for a failed try. */
export function errorKind(error: ModbusBridgeError): string {
  if (error.code === 'EXCEPTION') return exceptionName(error.exceptionCode ?? 0).toLowerCase().replaceAll(' ', '_');
  return error.code.toLowerCase();
}
