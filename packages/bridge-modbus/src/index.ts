export { modbusBridge, describeModbus } from './bridge.js';
export {
  modbusConfigSchema,
  modbusDeviceSchema,
  modbusPointSchema,
  BYTE_ORDERS,
  TABLES,
  POINT_TYPES,
  REGISTER_BYTES,
  type ByteOrder,
  type RegisterByte,
  type ModbusTable,
  type PointType,
  type ModbusConfig,
  type ModbusDeviceConfig,
  type ModbusPointConfig,
} from './config.js';
export { checkModbus } from './check.js';
export {
  parseConnection,
  formatConnection,
  lineKey,
  type ConnectionSpec,
  type TcpConnection,
  type RtuConnection,
  type RtuOverTcpConnection,
  type Parity,
  type ParsedConnection,
} from './connection-url.js';
export {
  decodeAnswer,
  decodeRegisters,
  decodeBit,
  decodePoint,
  applyScale,
  pointWidth,
  isBitTable,
  type DecodeSpec,
  type PointDecodeSpec,
  type ModbusDecodeProblem,
} from './decode.js';
export { encodeRegisters, type EncodeOptions } from './encode.js';
export { encodeRegisterPart, type EncodePartSpec } from './encode-part.js';
export { registerPart, type RegisterPart, type PartSpec } from './register-part.js';
export {
  planRequests,
  planOnePerPoint,
  describeRequest,
  MAX_REGISTERS_PER_REQUEST,
  MAX_BITS_PER_REQUEST,
  type Plannable,
  type PlanOptions,
  type ReadRequest,
} from './plan.js';
export {
  resolveConfig,
  resolveDevice,
  renderMetric,
  MODBUS_DEFAULTS,
  METRIC_PLACEHOLDERS,
  type MetricVars,
  type ResolvedDevice,
  type ResolvedPoint,
} from './resolve.js';
export { createModbusSource, type ModbusSource, type ModbusSourceOptions, type ModbusDeviceStatus } from './source.js';
export type { ModbusConfigureResult } from './configure.js';
export { parseProbeRange, probeDevice, probeRefusalHint, analyseRegisters, type ProbeRange, type ProbeReport, type ProbeValues, type ProbeValues16 } from './probe.js';
export { formatProbe, likelyByteOrder, type ProbeFormatOptions } from './probe-format.js';
export { formatBitProbe, parseBitProbeRange, probeBits, type BitProbeRange, type BitProbeReport } from './probe-bits.js';
export { byteOrderHint, floatEvidence, type ByteOrderHint, type FloatEvidence } from './probe-hint.js';
export { startModbusSimulator, SIMULATOR_ILLEGAL_FROM, type ModbusSimulator, type ModbusSimulatorOptions } from './simulator.js';
export {
  ModbusBridgeError,
  isModbusBridgeError,
  exceptionName,
  MODBUS_EXCEPTIONS,
  type ModbusBridgeErrorCode,
} from './errors.js';
export { openClient, type ModbusClient } from './client.js';
