// The public API of @fieldbridge/bridge-can: the bridge (its definition, the `can:` section,
// the plan and the pure frame decoder, the source), DBC files, compiled decoders, the encoder,
// CAN frame sources (candump logs, SocketCAN) and the drive simulator. `cli.ts` and
// `sim-cli.ts` are not exported: the library never imports command-line code.
export { canBridge, describeCan } from './bridge.js';
export { canConfigSchema, perSignalSchema, SIGNAL_TAGS, DEFAULT_SIGNAL_TAGS, type CanConfig, type PerSignalConfig, type SignalTag } from './config.js';
export { checkCan } from './check.js';
export {
  resolveCanConfig,
  formatId,
  CAN_DEFAULTS,
  METRIC_PLACEHOLDERS,
  UNKNOWN_PLACEHOLDERS,
  type ResolvedCan,
  type ChangeRule,
  type MetricVars,
  type UnknownVars,
} from './resolve.js';
export { parseInterface, formatInterface, type InterfaceSpec } from './interface-spec.js';
export { signalPatternMatches, selected, toSelection, type NameSelection } from './select.js';
export { planCan, signalNames, MAX_FRAME_BYTES, type CanPlan, type MessagePlan, type SignalPlan, type SignalNames } from './decode-plan.js';
export {
  decodeFrame,
  describeErrorFrame,
  FOLLOWS_PREVIOUS,
  type CanFrameResult,
  type CanFrameProblem,
  type CanFrameProblemKind,
  type FrameOutcome,
} from './decode.js';
export { createCanSource, type CanSource, type CanSourceOptions } from './source.js';

export type {
  AttributeValue,
  DbcAttributeDefinition,
  DbcByteOrder,
  DbcDatabase,
  DbcLocation,
  DbcMessage,
  DbcMultiplexer,
  DbcMuxRange,
  DbcNode,
  DbcObjectType,
  DbcParseResult,
  DbcProblem,
  DbcProblemKind,
  DbcSignal,
  DbcValueType,
} from './dbc/types.js';
export { DBC_LIMITS, type DbcLimits } from './dbc/limits.js';
export { parseDbc, formatDbcProblem, type ParseDbcOptions } from './dbc/parse-dbc.js';
export { mergeDatabases, parseDbcSources, type DbcSource } from './dbc/merge.js';
export { loadDbcFiles, loadDbcFilesSync, decodeDbcBytes, type LoadDbcOptions } from './dbc/load-dbc.js';

export { signalBitPositions } from './bits/signal-bits.js';
export { pgnOf, j1939Address, type J1939Address } from './bits/j1939.js';
export {
  compileMessageDecoder,
  type MessageDecoder,
  type SignalValues,
  type DecodedSignal,
  type DecodedMessage,
} from './decode/message-decoder.js';
export {
  createCanDecoder,
  type CanDecoder,
  type CanDecoderOptions,
  type CanFrameInput,
  type FrameDecodeResult,
} from './decode/can-decoder.js';
export { CAN_DECODE_PROBLEM_KINDS, type CanDecodeProblem, type CanDecodeProblemKind } from './decode/problems.js';
export { encodeMessage, encodeRawValues, type EncodeOptions } from './encode/encode-message.js';

export { CAN_FD_LENGTHS, MAX_STANDARD_ID, MAX_EXTENDED_ID, type CanFrame, type TimestampSource } from './frames/can-frame.js';
export { parseCandumpLine, formatCandumpLine, MAX_CANDUMP_LINE, type CandumpLineResult, type CandumpLineOptions } from './frames/candump-line.js';
export { createAscReader, type AscReader, type AscReaderOptions } from './frames/asc-line.js';
export { createTrcReader, parseTrcStartTime, type TrcReader, type TrcReaderOptions } from './frames/trc-line.js';
export { createLogLineParser, sniffLogFormat, MAX_LOG_LINE, LOG_FORMAT_NAMES, recordUnit, type LogFormat, type TextLogFormat, type LogLineParser, type LogLineParserOptions } from './frames/log-format.js';
export { readBlfRecords, BLF_SIGNATURE, type BlfReaderOptions } from './frames/blf-reader.js';
export { readMf4Records, isMf4, type Mf4ReaderOptions } from './frames/mf4/reader.js';
export { isTimeZone } from '@fieldbridge/core/bridge';
export { J1939Transport, j1939Id, type TransportOutcome, type TransportProblem } from './frames/j1939-transport.js';
export {
  replayCandump,
  replayCandumpFile,
  replayRecords,
  systemReplayClock,
  type LogRecord,
  type ReplayClock,
  type ReplayOptions,
  type ReplayFileOptions,
  type ReplayProblem,
  type ReplayResume,
  type ReplayStats,
} from './frames/candump-replay.js';
export {
  checkReceiveBuffer,
  assessReceiveBuffer,
  RECEIVE_BUFFER_BYTES_PER_FRAME,
  DEFAULT_BURST_FRAMES,
  type ReceiveBufferReport,
  type ReceiveBufferOptions,
} from './frames/receive-buffer.js';
export {
  openSocketCan,
  kernelFilter,
  type CanIdFilter,
  type SocketCanOptions,
  type SocketCanReader,
  type SocketCanModule,
} from './frames/socketcan-reader.js';

export { formatSignalList, type SignalListOptions } from './list-signals.js';
export { simulateDrive, driveLogLines, vehicleDatabase, type DriveOptions, type SimulatedFrame } from './simulator/drive.js';
export { VEHICLE_DBC } from './simulator/vehicle-dbc.js';

export { CanBridgeError, isCanBridgeError, type CanBridgeErrorCode } from './errors.js';
