export { createGateway } from './gateway.js';
export { GatewayError, isGatewayError } from './errors.js';
export type { GatewayErrorCode } from './errors.js';
export { parseLineProtocol } from './influx-line-protocol.js';
export type { LineProtocolFieldValue, LineProtocolPrecision, LineProtocolRecord } from './influx-line-protocol.js';
export type {
  ControlMessage,
  ControlResult,
  DeviceInfo,
  FaultPlan,
  Gateway,
  GatewayOptions,
  GatewayStats,
  LiveOptions,
  PointClass,
  PointFilter,
  StoredPoint,
} from './types.js';
export type {
  LiveDevice,
  LiveDeviceMessage,
  LiveEvent,
  LiveHistory,
  LiveLinkState,
  LiveRejection,
  LiveSamples,
  LiveSeriesDecl,
  LiveSeriesKind,
  LiveSeriesRow,
  LiveSnapshot,
  LiveSource,
  LiveStats,
  LiveUpdate,
  LiveVia,
} from './live-types.js';
