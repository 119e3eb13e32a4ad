// `@fieldbridge/core/bridge`: the kit every bridge is built from (docs/BRIDGE.md). The
// definition and the context a bridge receives, the shared schemas, the reconnector, a serial
// port binding that notices an unplugged adapter, the standard source metrics, the metric-name
// template engine, the change filter, the decode contract, keyed problem episodes, the error
// base, bounds on what peers send, and every type the kit's own API names (Clock,
// ProblemReporter, PointWriter; pino's Logger and prom-client's Registry come from those
// packages). The command-line side (the simulator command helper) lives in
// `@fieldbridge/core/cli`, the test side in `@fieldbridge/core/testing`.
export {
  defineBridge,
  type BridgeDefinition,
  type BridgeContext,
  type BridgeInstance,
  type BridgeCliOption,
  type BridgeCliIo,
  type DescribeContext,
  type Channel,
  type ChannelOptions,
  type ChannelSetOptions,
  type FlowControl,
  type SourceState,
} from './runtime/define-bridge.js';
export type { Kept, KeepOpenOptions } from './runtime/kept-open.js';
export type { PointTagSet, SectionIssue } from './config/file-schema.js';
export { BridgeError, isBridgeError } from './errors.js';
export { metricOnce } from './shared/metric-once.js';
export { createReconnector, type Reconnector, type ReconnectorOptions } from './bridge/reconnector.js';
export { hangupAwareBinding } from './bridge/serial-hangup.js';
export { createOutage, type Outage, type OutageOptions } from './bridge/outage.js';
export { tagsSchema, reconnectSchema, reconnectPolicy, maxRateHzSchema, channelNameSchema, RECONNECT_DEFAULTS } from './bridge/schemas.js';
export { durationMs, sizeBytes, formatDuration, formatSize, MAX_TIMER_MS, type DurationOptions, type SizeOptions } from './config/units.js';
export { durationOption, SCAN_DURATION, type DurationOptionSpec } from './bridge/duration-option.js';
export { listenWindow, type ListenWindow, type ListenWindowOptions } from './bridge/listen-window.js';
export { emptyPortMessage, hasEmptyPort } from './bridge/empty-port.js';
export { createSourceMetrics, MAX_LABELLED_CHANNELS, type SourceMetrics } from './bridge/source-metrics.js';
export {
  compileTemplate,
  namedPlaceholders,
  renderMetricName,
  type Template,
  type PlaceholderReader,
  type PlaceholderResolver,
  type PlaceholderValue,
  type RenderResult,
} from './bridge/template.js';
export { createChangeFilter, type ChangeFilter, type ChangeFilterOptions, type ChangeVerdict } from './shared/change-filter.js';
export type { DecodeProblem, DecodeResult } from './bridge/decode.js';
export { createKeyedProblems, type KeyedProblems, type KeyedProblemsOptions } from './bridge/keyed-problems.js';
export { createKeyedCache, type KeyedCacheOptions } from './bridge/keyed-cache.js';
export { createHandOver, type HandOver, type HandOverLimits, type HandOverReader } from './bridge/hand-over.js';
export { compareNatural } from './bridge/natural-order.js';
export { packageVersion } from './bridge/package-version.js';
export { excerpt, jsonNestsDeeperThan, oneLine } from './bridge/bounds.js';
export { textTable } from './bridge/text-table.js';
export { keyFileProblem } from './shared/key-file.js';
export { redactUrl } from './shared/text.js';
export { rateText } from './bridge/rate-text.js';
export { float32Value } from './point/float32.js';
export { createDeviceClock, type DeviceClock, type DeviceClockOptions, type DevicePlacement } from './clock/device-clock.js';
export { POINT_LIMITS, SOURCE_ID_PATTERN, type Point, type PointClass, type PointValue, type Tags } from './point/point.js';
export type { Clock, ClockSample, SampleVerdict } from './clock/clock.js';
export type { ProblemReporter, ReportOptions } from './shared/problems.js';
export type { PointWriter } from './sink/sink-types.js';
export { seededRandom } from './shared/seeded-random.js';
export { globMatch } from './shared/glob.js';
export { closestName } from './shared/edit-distance.js';
export { flowYaml } from './bridge/flow-yaml.js';
export { isTimeZone, wallTimeToEpochMs, type WallTime } from './bridge/wall-clock.js';
