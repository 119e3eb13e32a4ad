import { compileTemplate, namedPlaceholders, reconnectPolicy, renderMetricName, type RenderResult } from '@fieldbridge/core/bridge';
import type { ByteOrder, ModbusConfig, ModbusDeviceConfig, ModbusPointConfig, ModbusTable, PointType, RegisterByte } from './config.js';
import { parseConnection, type ConnectionSpec } from './connection-url.js';
import { isBitTable, pointWidth } from './decode.js';

/** Defaults of the optional mapping keys (the reconnect defaults are the kit's). */
export const MODBUS_DEFAULTS = {
  unitId: 1,
  pollMs: 1000,
  timeoutMs: 1000,
  retries: 1,
  busyRetries: 3,
  busyRetriesWaitMs: 100,
  byteOrder: 'ABCD' as ByteOrder,
  maxGap: 10,
  maxGapBits: 64,
  maxRegisters: 125,
  maxBits: 2000,
} as const;

/** What a metric name is filled from: where the point lives. */
export interface MetricVars {
  device: string;
  unitId: number;
  table: string;
  address: number;
}

/** Placeholders a metric name may use. */
export const METRIC_PLACEHOLDERS = ['device', 'unit_id', 'table', 'address'] as const;

const placeholders = namedPlaceholders<MetricVars>({
  device: (v) => v.device,
  unit_id: (v) => v.unitId,
  table: (v) => v.table,
  address: (v) => v.address,
});

/**
 * Fills `{device}`, `{unit_id}`, `{table}` and `{address}` in a metric name with the kit's
 * template engine. Fails with a message naming an unknown placeholder, a stray brace, or a
 * name that comes out empty or longer than 256 characters.
 */
export function renderMetric(template: string, vars: MetricVars): RenderResult {
  const compiled = compileTemplate(template, placeholders);
  return compiled.ok ? renderMetricName(compiled.template, vars) : compiled;
}

/** A point with every default applied and its metric name filled in. */
export interface ResolvedPoint {
  /** Index in the device's `points[]`. */
  index: number;
  metric: string;
  table: ModbusTable;
  address: number;
  type: PointType;
  /** Addresses it occupies (registers, or 1 bit). */
  width: number;
  /** The point's or the device's; `int8` and `uint8` ignore it (their `byte` is named as it arrives). */
  byteOrder: ByteOrder;
  /** `bit`'s bit, or a `bitfield`'s lowest. */
  bit?: number;
  /** A `bitfield`'s width in bits. */
  bits?: number;
  /** The byte an `int8` or `uint8` reads. */
  byte?: RegisterByte;
  length?: number;
  scale: number;
  offset: number;
  deadband?: number;
  /** Send only values that differ from the last one sent. */
  onChange?: boolean;
  /** With `deadband` or `onChange`: send a held-back value anyway once the last one sent is this old, in ms. */
  maxIntervalMs?: number;
  /** Read at most this often, in ms (`poll_ms` of the point); undefined: every poll of its device. */
  pollMs?: number;
  /** The device's tags, the point's tags, then `device` and `unit` (when given), which win. */
  tags: Record<string, string>;
}

/** A device with every default applied. */
export interface ResolvedDevice {
  name: string;
  connection: ConnectionSpec;
  unitId: number;
  pollMs: number;
  timeoutMs: number;
  retries: number;
  /** Extra tries of a read answered busy (exception 5 or 6), each after `busyRetriesWaitMs`. */
  busyRetries: number;
  /** Wait before asking a busy device again, in ms. */
  busyRetriesWaitMs: number;
  maxGap: number;
  maxGapBits: number;
  maxRegisters: number;
  maxBits: number;
  /** Reconnect backoff, in ms: the device's `reconnect`, else the section's, else the kit's defaults. */
  reconnect: { initialMs: number; maxMs: number };
  points: ResolvedPoint[];
}

/** The type a point decodes to: its `type`, else `bool` for bit tables and `uint16` for registers. */
export function effectiveType(point: Pick<ModbusPointConfig, 'type' | 'table'>): PointType {
  return point.type ?? (isBitTable(point.table) ? 'bool' : 'uint16');
}

/**
 * Applies defaults to one device. Assumes the section passed the schema and `checkModbus`;
 * throws a TypeError naming the device otherwise (a bad connection or metric name).
 */
export function resolveDevice(device: ModbusDeviceConfig, section?: Pick<ModbusConfig, 'reconnect'>): ResolvedDevice {
  const parsed = parseConnection(device.connection);
  if (!parsed.ok) throw new TypeError(`device ${device.name}: ${parsed.message}`);
  const unitId = device.unit_id ?? MODBUS_DEFAULTS.unitId;
  const deviceOrder = device.byte_order ?? MODBUS_DEFAULTS.byteOrder;
  const points = device.points.map((point, index): ResolvedPoint => {
    const type = effectiveType(point);
    const tags: Record<string, string> = { ...device.tags, ...point.tags, device: device.name };
    if (point.unit !== undefined) tags.unit = point.unit;
    const metric = renderMetric(point.metric, { device: device.name, unitId, table: point.table, address: point.address });
    if (!metric.ok) throw new TypeError(`device ${device.name}, points[${index}]: ${metric.message}`);
    const resolved: ResolvedPoint = {
      index,
      metric: metric.text,
      table: point.table,
      address: point.address,
      type,
      width: pointWidth(type, point.length),
      byteOrder: point.byte_order ?? deviceOrder,
      scale: point.scale ?? 1,
      offset: point.offset ?? 0,
      tags,
    };
    if (point.bit !== undefined) resolved.bit = point.bit;
    if (point.bits !== undefined) resolved.bits = point.bits;
    if (point.byte !== undefined) resolved.byte = point.byte;
    if (point.length !== undefined) resolved.length = point.length;
    if (point.deadband !== undefined) resolved.deadband = point.deadband;
    if (point.on_change) resolved.onChange = true;
    if (point.max_interval !== undefined) resolved.maxIntervalMs = point.max_interval;
    if (point.poll_ms !== undefined) resolved.pollMs = point.poll_ms;
    return resolved;
  });
  return {
    name: device.name,
    connection: parsed.spec,
    unitId,
    pollMs: device.poll_ms ?? MODBUS_DEFAULTS.pollMs,
    timeoutMs: device.timeout_ms ?? MODBUS_DEFAULTS.timeoutMs,
    retries: device.retries ?? MODBUS_DEFAULTS.retries,
    busyRetries: device.busy_retries ?? MODBUS_DEFAULTS.busyRetries,
    busyRetriesWaitMs: device.busy_retries_wait ?? MODBUS_DEFAULTS.busyRetriesWaitMs,
    maxGap: device.max_gap ?? MODBUS_DEFAULTS.maxGap,
    maxGapBits: device.max_gap_bits ?? MODBUS_DEFAULTS.maxGapBits,
    maxRegisters: device.max_registers ?? MODBUS_DEFAULTS.maxRegisters,
    maxBits: device.max_bits ?? MODBUS_DEFAULTS.maxBits,
    reconnect: reconnectPolicy(device.reconnect ?? section?.reconnect),
    points,
  };
}

/** Applies defaults to every device of a validated `modbus:` section. */
export function resolveConfig(config: ModbusConfig): ResolvedDevice[] {
  return config.devices.map((device) => resolveDevice(device, config));
}
