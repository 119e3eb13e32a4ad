export { mqttBridge, describeMqtt, describeSubscription } from './bridge.js';
export {
  mqttConfigSchema,
  mqttSubscriptionSchema,
  PAYLOAD_FORMATS,
  VALUE_TYPES,
  TIMESTAMP_UNITS,
  type MqttConfig,
  type MqttSubscriptionConfig,
} from './config.js';
export {
  parseBrokerUrl,
  formatBrokerUrl,
  buildClientOptions,
  describeConnection,
  readPem,
  randomClientId,
  BROKER_SCHEMES,
  type BrokerUrl,
} from './connection.js';
export {
  decodeMessage,
  DECODE_ERROR_KINDS,
  type DecodeErrorKind,
  type DecodeProblem,
  type DecodeResult,
  type MqttMessage,
} from './decode.js';
export { parseJsonPath, evaluateJsonPath, formatJsonPath, type JsonPath, type JsonPathStep, type JsonPathResult, type ParsedJsonPath } from './json-path.js';
export {
  parseTemplate,
  renderTemplate,
  renderMetricName,
  placeholdersOf,
  NAMED_PLACEHOLDERS,
  type Template,
  type TemplatePart,
  type TemplateVars,
  type ParsedTemplate,
  type RenderResult,
  type NamedPlaceholder,
} from './template.js';
export { parseTopicFilter, topicMatches, topicLevels, fixedLevelCount, type TopicFilter, type ParsedTopicFilter } from './topic.js';
export {
  resolveSubscriptions,
  compileSubscription,
  MQTT_DEFAULTS,
  type ResolvedSubscription,
  type ResolvedValue,
  type ResolvedTags,
  type PayloadFormat,
  type ValueType,
  type TimestampUnit,
  type SectionIssue,
} from './resolve.js';
export {
  decodeSparkplug,
  parseSparkplugTopic,
  SparkplugState,
  SPARKPLUG_NAMESPACE,
  SPARKPLUG_MESSAGE_TYPES,
  type SparkplugContext,
  type SparkplugTopic,
  type SparkplugScope,
  type SparkplugNodeScope,
} from './sparkplug.js';
export {
  loadSparkplugCodec,
  type SparkplugCodec,
  type SparkplugPayload,
  type SparkplugMetric,
  type SparkplugDataSet,
  type SparkplugTemplate,
  type SparkplugValueFields,
} from './sparkplug-codec.js';
export { createMqttSource, REBIRTH_INTERVAL_MS, type MqttSource, type MqttSourceOptions, type MqttSubscriptionStatus } from './source.js';
export { MqttBridgeError, isMqttBridgeError, explainConnectError, type MqttBridgeErrorCode } from './errors.js';
export { startMqttSimulator, type MqttSimulator, type MqttSimulatorOptions } from './simulator.js';
