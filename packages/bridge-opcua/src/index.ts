// The public API of @fieldbridge/bridge-opcua: the bridge (its definition, section schema, checks,
// source and pure decode) and the protocol layer it stands on. node-opcua is loaded by the source's
// start(), connectOpcua and startOpcuaServer only, never by importing this module; nothing here
// imports the command-line code.
export { opcuaBridge } from './bridge.js';
export {
  opcuaConfigSchema,
  opcuaNodeSchema,
  opcuaFolderSchema,
  opcuaEventSchema,
  SECURITY_MODE_NAMES,
  SECURITY_POLICY_NAMES,
  TRUST_MODE_NAMES,
  TIMESTAMP_NAMES,
  QUALITY_RULES,
  type OpcuaConfig,
  type OpcuaNodeConfig,
  type OpcuaFolderConfig,
  type OpcuaEventConfig,
} from './config.js';
export { checkOpcua } from './check.js';
export { describeOpcua } from './describe.js';
export { planOpcua, parseDeadband, OPCUA_DEFAULTS, type OpcuaPlan, type PlanResult, type ValueRoute, type EventRoute, type QualityRule } from './plan.js';
export { createPointMapper, isProblem, type PointMapper, type ItemRoute, type OpcuaDecodeProblem, type OpcuaDecodeResult } from './decode.js';
export { compilePathTemplate, compileEventTemplate, PATH_PLACEHOLDERS, EVENT_PLACEHOLDERS, type PathVars, type EventVars } from './metric-template.js';
export { createOpcuaSource, type OpcuaSource, type OpcuaSourceOptions } from './source.js';
export { connectOptionsOf, pkiDir, usedPkiDir, authOf, PKI_FOLDER, CONNECTION_DEFAULTS } from './connect-options.js';
export { parseEndpoint, DEFAULT_OPCUA_PORT, type Endpoint } from './endpoint.js';
export { handleBrowse, BROWSE_OPTIONS } from './browse-command.js';

// The protocol layer.
export { loadOpcua, restoreOpensslConf, type OpcuaModule } from './load.js';
export { formatOpcuaMessage, opcuaLogLevel, MAX_OPCUA_LOG_CHARS, type OpcuaLogger, type OpcuaLogKind } from './log-redirect.js';
export { OpcuaBridgeError, isOpcuaBridgeError, type OpcuaBridgeErrorCode } from './errors.js';

export { connectOpcua, CLIENT_DEFAULTS, type OpcuaClientOptions } from './client.js';
export { createRunWarnings, type RunWarnings } from './run-warnings.js';
export type { OpcuaConnection, ConnectionEvent, ConnectionState, ConnectionStats } from './connection.js';
export { classifyConnectError, type ConnectErrorContext } from './connect-errors.js';
export { buildIdentity, describeIdentity, type OpcuaAuth } from './identity.js';
export {
  chooseEndpoint,
  describeSecurity,
  policyUri,
  policyName,
  SECURITY_MODES,
  CURRENT_POLICIES,
  DEPRECATED_POLICIES,
  type SecurityModeName,
  type SecurityPolicyName,
  type IdentityKind,
  type EndpointLike,
  type EndpointChoice,
} from './security.js';

export { openPki, DEFAULT_APPLICATION_NAME, type FolderPki, type Pki, type PkiClientOptions, type PkiOptions } from './pki.js';
export { openMemoryPki, type MemoryPkiOptions } from './memory-pki.js';
export { decideTrust, sameServer, TRUST_MODES, type TrustMode, type TrustDecision, type TrustQuestion, type TrustedCertificate } from './trust.js';
export { describeCertificate, certificateLabel, firstCertificate, subjectAltNameUris, type CertificateInfo } from './certificate-info.js';

export { subscribe } from './subscription.js';
export type { SubscriptionOptions, OpcuaSubscription, SubscriptionProblem, SubscriptionStats, ItemStatus, ItemSampling, EventQueue, TargetState } from './subscription-types.js';
export {
  SERVER_OBJECT,
  SPEC_LIMITS,
  parseLocation,
  checkSampling,
  type VariableSpec,
  type FolderSpec,
  type EventSpec,
  type SamplingSpec,
  type NodeLocation,
  type Deadband,
  type Location,
} from './item-spec.js';
export { DEFAULT_EVENT_FIELDS, TWO_STATE_FIELDS, EVENT_TYPE_IDS, planEventSelects, type EventSelect } from './event-fields.js';
export { createFlowControl, asPublishEngine, type FlowControl, type FlowStats, type PublishEngineLike, type FlowControlOptions } from './flow-control.js';
export { decodeNotificationMessage, type NotificationBatch, type NotificationMessageLike, type Registered, type HandleLookup } from './notifications.js';

export {
  decodeDataValue,
  decodeEventFields,
  pickTimestamp,
  plausibleMs,
  MAX_AHEAD_MS,
  TIMESTAMP_MODES,
  type TimestampMode,
  type RefusedTimestamp,
  type ValueItem,
  type EventItem,
  type ValueRecord,
  type EventRecord,
  type DecodeProblem,
  type DataValueLike,
  type RecordOptions,
  type Decoded,
} from './records.js';
export { variantToValue, type VariantLike, type ValueOptions, type ConvertedValue, type ValueProblemKind } from './values.js';
export { qualityOf, hasOverflow, statusName, statusBase, statusNamesFrom, type Quality, type StatusNames } from './quality.js';
export { BuiltinType, ArrayKind, IdentifierKind, builtinTypeName, STANDARD_DATA_TYPE_NAMES, type BuiltinTypeName } from './builtin-types.js';
export {
  parseNodeRef,
  formatNodeRef,
  resolveNodeRef,
  nodeIdToText,
  MAX_NODE_ID_CHARS,
  type NodeRef,
  type NodeIdentifier,
  type ParsedNodeRef,
  type ResolvedNodeRef,
  type NodeIdLike,
} from './node-ref.js';
export { parseBrowsePath, formatBrowsePath, MAX_BROWSE_STEPS, MAX_BROWSE_PATH_CHARS, type BrowseStep, type ParsedBrowsePath } from './browse-path.js';
export { readNamespaces, checkNamespaceArray, NAMESPACE_ARRAY_NODE, MAX_NAMESPACES } from './namespaces.js';

export { browseAddressSpace, accessLevelNames, type BrowseOptions, type BrowseEntry, type BrowseResult } from './browse.js';
export { formatBrowseText, formatBrowseMapping, metricNameFromPath, type MappingFormatOptions } from './browse-format.js';

export { startOpcuaServer, SIM_NAMESPACE, type OpcuaServerOptions, type OpcuaTestServer } from './server.js';
export { startOpcuaSimulator, simulatedTemperature, type OpcuaSimulator, type OpcuaSimulatorOptions } from './simulator.js';
export { SIM_SCALAR_TYPES, type SimScalarType } from './sim-address-space.js';
