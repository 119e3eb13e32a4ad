// The public API of @fieldbridge/bridge-mavlink: the bridge (definition, section schema, checks,
// source, decode into points) and the protocol layer it stands on. node-mavlink and serialport
// are imported only when a dialect is loaded, a serial link opened or the simulator started.
// Never imports the command line (cli.ts, sim-cli.ts).

// The bridge
export { mavlinkBridge, describeMavlink } from './bridge.js';
export {
  mavlinkConfigSchema, messageEntrySchema, fieldSpecSchema, signingSchema, heartbeatSchema,
  MAVLINK_DEFAULTS, METRIC_PLACEHOLDERS, SOURCE_ID_PLACEHOLDERS,
  type MavlinkConfig, type MavlinkMessageConfig,
} from './config.js';
export { checkMavlink } from './check.js';
export { resolveMavlink, filterOptions, signingKeyOf, type ResolvedMavlink, type ResolvedMessage } from './resolve.js';
export { compileMetricTemplate, compileSourceIdTemplate, renderSourceId, type MetricVars, type SourceIdVars } from './templates.js';
export { createPointMaker, decodeRead, type PointMaker, type PointMakerOptions, type MavlinkDecodeProblem, type MavlinkProblemKind, type PointBatch, type DecodedRead, type ReadInput } from './decode.js';
export { eventPoint, EVENT_METRICS } from './decode-events.js';
export { createMavlinkSource, type MavlinkSource, type MavlinkSourceOptions } from './source.js';
export { formatMessageList, formatMessageFields } from './list-messages.js';
export { encodeFrameV2, gcsHeartbeat, signatureTimestamp, type OutgoingFrame } from './frame-encode.js';

// Dialects and decoding
export { loadDialect, loadDialectSync, buildDialect, DIALECT_NAMES, FIELD_TYPE_SIZES } from './dialect.js';
export type { Dialect, DialectName, MessageDef, FieldDef, FieldType, RegistryClass, RegistryModule } from './dialect.js';
export { decodePayload, payloadView, readField, type FieldValue } from './payload.js';
export { frameCrc, crcUpdate, CRC_INIT } from './crc.js';

// Frames in
export { createMavlinkParser, type MavlinkParser, type ParserOptions, type ParseResult, type PushOptions } from './parser.js';
export { createStreamParsers, type StreamParsers, type StreamPushOptions } from './stream-parsers.js';
export {
  STX_V1, STX_V2, MAX_FRAME_LENGTH, SIGNATURE_EPOCH_MS, signatureTimeMs, type MavlinkFrame, type FrameSignature,
} from './frame.js';
export { PARSE_PROBLEM_KINDS, type ParseProblem, type ParseProblemKind, type ParseCounts } from './parse-problems.js';
export { signingKey, checkSigningKey, parseSigningKey, signatureMatches, type SigningOptions } from './signing.js';

// Messages into records
export {
  DEFAULT_FIELDS, DEFAULT_SELECTION, DERIVED_FIELDS, INSTANCE_FIELDS, EVENT_MESSAGES,
  type FieldSpec, type FieldSelection, type MessageSelection,
} from './default-fields.js';
export { compileMessagePlan, type MessagePlan, type MessageFields } from './message-plan.js';
export { createStatusTextAssembler, readStatusTextChunk, type StatusTextAssembler, type StatusTextAssemblerOptions, type StatusTextChunk, type AssembledStatusText } from './statustext-chunks.js';
export { applyScale, type FieldRecord, type RecordValue } from './field-record.js';
export { DEFAULT_CONVERSIONS, KNOWN_UNITS, unitConversion, defaultTarget, type UnitConversion } from './units.js';
export { enumText } from './enum-text.js';
export {
  flightModeName, readHeartbeat, isArmed, isAutopilot, ARDUPILOT_MODES_BY_TYPE,
  AUTOPILOT_ARDUPILOT, AUTOPILOT_PX4, AUTOPILOT_INVALID, type Heartbeat,
} from './flight-mode.js';

// Time and vehicles
export { createMessageTimer, timeFieldOf, bootTimeOf, type MessageTimer, type MessageTimerOptions, type MessageTime, type TimeSource, type TimeField } from './message-time.js';
export {
  createVehicleTracker, type VehicleTracker, type VehicleTrackerOptions, type VehicleEvent, type VehicleSnapshot, type ComponentSnapshot,
  type RouteSnapshot, type FrameRole, type ObserveOptions,
} from './vehicle-tracker.js';
export {
  createRouteChoice, EVERY_PORT_MESSAGES, MAX_ROUTES, ROUTE_QUIET_MS, ROUTE_FORGET_MS, MESSAGE_GRACE_MS, ROUTE_SKEW_MS,
  type RouteChoice, type RouteChoiceOptions, type RouteChoiceSnapshot, type RouteEvent, type RouteFrame, type RouteVerdict,
} from './routes.js';
export { createDuplicateFrames, COPY_WINDOW_FRAMES, COPY_WINDOW_MS, type DuplicateFrames, type Original } from './duplicate-frames.js';
export { createMavlinkReader, type MavlinkReader, type ReaderOptions, type ReadOptions, type DecodedMessage, type ReadResult } from './reader.js';

// Links
export { parseLinkUrl, formatLinkUrl, type LinkSpec, type ParsedLink, type UdpInSpec, type UdpOutSpec, type TcpSpec, type TcpInSpec, type SerialSpec, type TlogSpec } from './link-url.js';
export { type MavlinkLink, type LinkChunk, type LinkClientEvent, type LinkHandlers, type LinkState, type LinkStats, type ReconnectOptions } from './link.js';
export { openLink, type LinkOptions } from './open-link.js';
export { createUdpLink, type UdpLinkOptions } from './link-udp.js';
export { createTcpLink, type TcpLinkOptions } from './link-tcp.js';
export { createTcpServerLink, type TcpServerLinkOptions } from './link-tcp-server.js';
export { createSerialLink } from './link-serial.js';
export { createTlogLink, type TlogLink, type TlogLinkOptions, type ReplayTimer } from './link-tlog.js';
export { createTlogSplitter, type TlogSplitter, type TlogRecord, type TlogChunk } from './tlog.js';

// Simulator
export { createSimulatedFleet, DEMO_VEHICLES, SIM_HOME, type SimulatedFleet, type SimulatedVehicle, type FleetOptions } from './simulated-fleet.js';
export { startMavlinkSimulator, type MavlinkSimulator, type MavlinkSimulatorOptions } from './simulator.js';

export { MavlinkBridgeError, isMavlinkBridgeError, type MavlinkBridgeErrorCode, type SelectionIssue } from './errors.js';
