import { createChangeFilter, type ChangeVerdict, type Point } from '@fieldbridge/core/bridge';
import type { ResolvedDevice } from './resolve.js';

/** Most series (metrics) remembered per device by each of its change filters. */
const SERIES_PER_DEVICE = 256;

/** What `max_rate_hz`, `on_change` and `max_interval` hold back of one physical device's points. */
export interface DeviceFilter {
  /**
   * Decides for one point, per series (its metric, and its `index` when a message repeats a
   * value), at `atMs`: the data time the advert or value was received (see `DataTime`; not the
   * point's stamp, which steps with the sink's clock). An `event` (a button press) is never held
   * back as `unchanged`; `max_rate_hz` still limits it.
   */
  admit(point: Point, event: boolean, atMs: number): ChangeVerdict;
}

/** The filter of `device`, or undefined when neither `max_rate_hz` nor `on_change` is set. */
export function createDeviceFilter(device: ResolvedDevice): DeviceFilter | undefined {
  if (device.maxRateHz === undefined && !device.onChange) return undefined;
  const rate = device.maxRateHz !== undefined ? { minIntervalMs: 1000 / device.maxRateHz } : {};
  const states = createChangeFilter({
    ...rate,
    onChange: device.onChange,
    ...(device.maxIntervalMs !== undefined ? { maxIntervalMs: device.maxIntervalMs } : {}),
    maxSeries: SERIES_PER_DEVICE,
  });
  // The same press twice is two presses: events get a filter of their own, without on_change.
  const events = createChangeFilter({ ...rate, maxSeries: SERIES_PER_DEVICE });
  return {
    admit(point, event, atMs) {
      const series = point.tags?.index === undefined ? point.metric : `${point.metric}\u0000${point.tags.index}`;
      return (event ? events : states).admit(series, point.value, atMs);
    },
  };
}
