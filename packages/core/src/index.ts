// The public API of @fieldbridge/core. The command-line helper lives in `@fieldbridge/core/cli`
// and test utilities in `@fieldbridge/core/testing`; neither is imported from here.
export type { Point, PointClass, PointValue, Tags } from './point/point.js';
export { POINT_LIMITS, REQUEST_LIMITS, SOURCE_ID_PATTERN } from './point/point.js';
export { classOf, validatePoint } from './point/validate-point.js';
export { float32Value } from './point/float32.js';
export { FieldbridgeError, isFieldbridgeError, isCodedError, type FieldbridgeErrorCode } from './errors.js';
export { serializeError } from './shared/log-error.js';

export { PLAUSIBLE_SERVER_TIME, type Clock, type ClockSample, type SampleVerdict } from './clock/clock.js';
export { createClock, clockSeedOf, type ClockOptions, type ClockSeed } from './clock/create-clock.js';
export { createDeviceClock, type DeviceClock, type DeviceClockOptions, type DevicePlacement } from './clock/device-clock.js';

export type { Batch } from './shared/batch.js';
export type { Sink, SinkCloseOptions, SinkCloseReport, SinkStatus, PointWriter } from './sink/sink-types.js';
export type { ReceiverState } from './sink/_refusal.js';
export type { SinkEvent, SinkEventMap, SinkEvents, SinkListener } from './sink/sink-events.js';
export { DEFAULT_SHUTDOWN_TIMEOUT_MS, type SinkOptions, type WebSocketSinkOptions } from './sink/sink-options.js';
export type { ConfigureHandler } from './control/dashboard-control.js';
export type { DropReason } from './sink/sink-metrics.js';
export { createSink } from './sink/create-sink.js';

export type { Spool, SpoolStats, SpoolLimits, WhenFull, AppendResult, DroppedBatch, SpoolDropReason } from './spool/spool.js';
export { createSpool, createMemorySpool, createSqliteSpool } from './spool/index.js';

export type { Transport, SendResult, SendOptions, ClockProbe } from './transport/transport.js';
export { createHttpTransport, type HttpTransportOptions } from './transport/http-transport.js';
export { createStdoutTransport, type StdoutTransportOptions } from './transport/stdout-transport.js';
export { createWsTransport, type WsTransport, type WsTransportOptions, type WsDeliveryMode } from './ws/ws-transport.js';
export { CONTROL_TYPES, type ControlType, type WsExtension } from './ws/protocol.js';
export type { DeviceControl, StreamRequest } from './control/device-control.js';
export { createDashboardControl, type DashboardControl } from './control/dashboard-control.js';
export { DEFAULT_RETRY, parseRetryAfterMs, type RetryOptions } from './transport/retry-policy.js';
export { backoffDelayMs, type Backoff } from './shared/backoff.js';
export { seededRandom } from './shared/seeded-random.js';
export { createChangeFilter, type ChangeFilter, type ChangeFilterOptions, type ChangeVerdict } from './shared/change-filter.js';

export { createRule } from './rules/rule.js';
export { createRuleSet, MAX_ROUTED_METRICS, UNHEARD_AFTER_MS, type RuleSet, type RuleSetOptions, type RuleEventWriter } from './rules/rule-set.js';
export { createRuleExchange, type RuleExchange, type ExchangeMembership } from './rules/rule-exchange.js';
export { compileExpression, ExpressionError, EXPRESSION_LIMITS, type CompiledExpression } from './rules/expression.js';
export { RULE_NAME_PATTERN, type Rule, type RuleOptions, type RuleEvent, type RuleListeners, type RuleErrorInfo, type RecoveryMode, type ResolvedBy } from './rules/rule-types.js';
export type { RuleView, RuleEvaluator } from './rules/rule-view.js';
export type { PatternAggregates } from './rules/_pattern-group.js';
export { SIGNATURE_HEADER, signPayload, signFrame } from './shared/signature.js';

export { parseMapping, loadMapping, readMappingText, type MappingReadOptions } from './config/load-mapping.js';
export { sectionKeys, type SectionKey } from './config/section-keys.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config/config-error.js';
export { issueAt } from './config/locate-key.js';
export { bridgeFileSchema, generateJsonSchema, presentSections, schemaFileText, type FileConfig, type MultiFileConfig, type PointTagSet, type SectionDefinition, type SectionIssue, type Sections } from './config/file-schema.js';
export { commonShape, sinkSectionSchema, observeSectionSchema, LOG_LEVELS, type CommonConfig } from './config/common-schema.js';
export { ruleSchema, rulesSchema, MAX_RULES, type RuleConfig } from './config/rules-schema.js';
export { byteSize, duration, durationMs, sizeBytes, formatDuration, formatSize, MAX_TIMER_MS, type DurationOptions, type SizeOptions } from './config/units.js';
export { substituteEnv } from './config/env-substitute.js';

export {
  defineBridge,
  type BridgeDefinition,
  type BridgeContext,
  type BridgeInstance,
  type BridgeCliOption,
  type BridgeCliIo,
  type DescribeContext,
  type SourceState,
} from './runtime/define-bridge.js';
export { releaseKept, releaseUnheld, type Kept, type KeepOpenOptions } from './runtime/kept-open.js';
export { startBridge, type RunningBridge, type StartBridgeOptions, type OnceReport } from './runtime/start-bridge.js';
export { startBridges, agentVersionsOf, type RunningBridges, type StartBridgesOptions } from './runtime/start-bridges.js';
export { starterMapping, type StarterOptions } from './runtime/starter.js';
export { createProblemReporter, type ProblemReporter, type ReportOptions } from './shared/problems.js';
export { createLogger, type LoggerOptions } from './shared/logger.js';
export { sinkOptionsFromConfig } from './runtime/sink-from-config.js';
export { deadLetterPathOf } from './sink/dead-letter.js';
export { startObserveServer, type ObserveServer, type ObserveServerOptions, type Readiness } from './observe/observe-server.js';
