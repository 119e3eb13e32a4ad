import { Counter, Gauge, type Registry } from 'prom-client';
import { metricOnce } from '@fieldbridge/core/bridge';

/**
 * The metrics only BLE has. Points, adverts per device (`messages`), problems by kind, points
 * suppressed by `max_rate_hz`/`on_change`, points dropped while the spool is full and each
 * device's presence are the kit's standard ones (`ctx.metrics`, channel = the device).
 */
export interface BleMetrics {
  /**
   * `fieldbridge_ble_adverts_ignored_total`: adverts of devices no entry matched. Adverts of mapped
   * devices are the standard `fieldbridge_source_messages_total` of their channel. Unlabelled, so
   * counting an ignored advert costs one increment.
   */
  ignored: { inc(): void };
  /** `fieldbridge_ble_duplicates_total`: adverts dropped as repeats (a BTHome packet id or counter sent again; an ATC, pvvx or Ruuvi reading sent again). */
  duplicates: { inc(): void };
  /** `fieldbridge_ble_devices`: devices heard and not yet silent. */
  devices: { set(n: number): void };
  /** `fieldbridge_ble_recorded_total{outcome="written"}` / `{outcome="dropped"}`: adverts written to the record file, or dropped (slow disk, write error). */
  recorded: { inc(): void };
  recordDropped: { inc(): void };
  /**
   * `fieldbridge_ble_address_changes_total`: a device tracked by its identity (a fleet's beacon,
   * a device matched by name on a changing random address) heard from a new address: it rotated it.
   */
  addressChanges: { inc(): void };
}

/** Creates the metrics on `registry`, or reuses them when a reload created them already. Children are made once, so counting is one increment. */
export function createBleMetrics(registry: Registry): BleMetrics {
  const registers = [registry];
  const ignored = metricOnce(registry, 'fieldbridge_ble_adverts_ignored_total', () =>
    new Counter({ name: 'fieldbridge_ble_adverts_ignored_total', help: 'Adverts of devices no entry of the mapping matched (ignored).', registers }));
  const duplicates = metricOnce(registry, 'fieldbridge_ble_duplicates_total', () =>
    new Counter({ name: 'fieldbridge_ble_duplicates_total', help: 'Adverts dropped as repeats of the previous one (BTHome packet id or encryption counter; an ATC, pvvx or Ruuvi reading sent again).', registers }));
  const devices = metricOnce(registry, 'fieldbridge_ble_devices', () => new Gauge({ name: 'fieldbridge_ble_devices', help: 'Mapped devices heard and not yet silent.', registers }));
  const recorded = metricOnce(registry, 'fieldbridge_ble_recorded_total', () =>
    new Counter({ name: 'fieldbridge_ble_recorded_total', help: 'Adverts written to the record file (outcome="written") or dropped (outcome="dropped").', labelNames: ['outcome'], registers }));
  const addressChanges = metricOnce(registry, 'fieldbridge_ble_address_changes_total', () =>
    new Counter({ name: 'fieldbridge_ble_address_changes_total', help: 'Devices tracked by their identity (beacon id, or advertised name) heard from a new address (a rotated random address).', registers }));
  return {
    ignored,
    addressChanges,
    duplicates,
    devices,
    recorded: recorded.labels('written'),
    recordDropped: recorded.labels('dropped'),
  };
}
