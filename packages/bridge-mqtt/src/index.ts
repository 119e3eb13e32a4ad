export { createTopicSurvey, MAX_FIELDS, type HeardField, type HeardFormat, type HeardTopic, type TopicSurvey, type TopicSurveyOptions, type TopicSurveyResult } from './topic-survey.js';
export { formatTopicScan, suggestSubscriptions } from './scan-format.js';
export { mqttBridge, describeMqtt, describeSubscription } from './bridge.js';
export { checkMqttSection } from './check.js';
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
} from './client-options.js';
export {
  decodeMessage,
  routeTopic,
  DECODE_ERROR_KINDS,
  type DecodeErrorKind,
  type DecodeProblem,
  type DecodeResult,
  type MqttMessage,
  type TopicRoute,
} from './decode.js';
export { MAX_JSON_DEPTH } from './decode-json.js';
export { parseJsonPath, evaluateJsonPath, formatJsonPath, type JsonPath, type JsonPathStep, type JsonPathResult, type ParsedJsonPath } from './json-path.js';
export { compileMqttTemplate, mqttPlaceholders, NAMED_PLACEHOLDERS, type MqttTemplate, type MqttVars } from './placeholders.js';
export { parseTopicFilter, topicMatches, topicLevels, fixedLevelCount, type TopicFilter, type ParsedTopicFilter } from './topic.js';
export {
  resolveSubscriptions,
  compileSubscription,
  MQTT_DEFAULTS,
  type ResolvedSubscription,
  type ResolvedValue,
  type ResolvedTags,
  type Naming,
  type PayloadFormat,
  type ValueType,
  type TimestampUnit,
} from './resolve.js';
export {
  decodeSparkplug,
  parseSparkplugTopic,
  SPARKPLUG_NAMESPACE,
  SPARKPLUG_MESSAGE_TYPES,
  MAX_TEMPLATE_DEPTH,
  type SparkplugContext,
  type SparkplugTopic,
} from './decode-sparkplug.js';
export { SparkplugState, SPARKPLUG_LIMITS, type SparkplugLimits, type SparkplugScope, type SparkplugNodeScope } from './sparkplug-state.js';
export {
  loadSparkplugCodec,
  type SparkplugCodec,
  type SparkplugPayload,
  type SparkplugMetric,
  type SparkplugDataSet,
  type SparkplugTemplate,
  type SparkplugValueFields,
} from './sparkplug-codec.js';
export { createMqttSource, type MqttSourceOptions } from './source.js';
export { MqttBridgeError, isMqttBridgeError, explainConnectError, type MqttBridgeErrorCode } from './errors.js';
export { startMqttSimulator, type MqttSimulator, type MqttSimulatorOptions } from './simulator.js';
