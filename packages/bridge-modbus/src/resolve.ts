import type { ModbusConfig, ModbusDeviceConfig, ModbusPointConfig } from './config.js';
import { parseConnection, type ConnectionSpec } from './connection.js';
import { isBitTable, pointWidth, type ByteOrder, type ModbusTable, type PointType } from './decode.js';

/** Defaults of the optional mapping keys. */
export const MODBUS_DEFAULTS = {
  unitId: 1,
  pollMs: 1000,
  timeoutMs: 1000,
  retries: 1,
  byteOrder: 'ABCD' as ByteOrder,
  maxGap: 10,
  maxGapBits: 64,
  maxRegisters: 125,
  maxBits: 2000,
  reconnectInitialMs: 500,
  reconnectMaxMs: 30_000,
} as const;

/** Placeholders a metric name may use. */
export const METRIC_PLACEHOLDERS = ['device', 'unit_id', 'table', 'address'] as const;

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
  byteOrder: ByteOrder;
  bit?: number;
  length?: number;
  scale: number;
  offset: number;
  deadband?: number;
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
  maxGap: number;
  maxGapBits: number;
  maxRegisters: number;
  maxBits: number;
  reconnect: { initialMs: number; maxMs: number };
  points: ResolvedPoint[];
}

/** The type a point decodes to: its `type`, else `bool` for bit tables and `uint16` for registers. */
export function effectiveType(point: Pick<ModbusPointConfig, 'type' | 'table'>): PointType {
  return point.type ?? (isBitTable(point.table) ? 'bool' : 'uint16');
}

/** Placeholders in `template` that are not {@link METRIC_PLACEHOLDERS}. */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = METRIC_PLACEHOLDERS;
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((name) => !known.includes(name));
}

/** Fills `{device}`, `{unit_id}`, `{table}` and `{address}` in a metric name. */
export function renderMetric(template: string, values: { device: string; unitId: number; table: string; address: number }): string {
  return template
    .replaceAll('{device}', values.device)
    .replaceAll('{unit_id}', String(values.unitId))
    .replaceAll('{table}', values.table)
    .replaceAll('{address}', String(values.address));
}

/** Applies defaults to one device. Assumes the section passed {@link modbusConfigSchema}. */
export function resolveDevice(device: ModbusDeviceConfig, section?: Pick<ModbusConfig, 'reconnect'>): ResolvedDevice {
  const parsed = parseConnection(device.connection);
  if (!parsed.ok) throw new TypeError(`device ${device.name}: ${parsed.message}`);
  const unitId = device.unit_id ?? MODBUS_DEFAULTS.unitId;
  const deviceOrder = device.byte_order ?? MODBUS_DEFAULTS.byteOrder;
  const points = device.points.map((point, index): ResolvedPoint => {
    const type = effectiveType(point);
    const tags: Record<string, string> = { ...device.tags, ...point.tags, device: device.name };
    if (point.unit !== undefined) tags.unit = point.unit;
    const resolved: ResolvedPoint = {
      index,
      metric: renderMetric(point.metric, { device: device.name, unitId, table: point.table, address: point.address }),
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
    if (point.length !== undefined) resolved.length = point.length;
    if (point.deadband !== undefined) resolved.deadband = point.deadband;
    return resolved;
  });
  const reconnect = device.reconnect ?? section?.reconnect;
  return {
    name: device.name,
    connection: parsed.spec,
    unitId,
    pollMs: device.poll_ms ?? MODBUS_DEFAULTS.pollMs,
    timeoutMs: device.timeout_ms ?? MODBUS_DEFAULTS.timeoutMs,
    retries: device.retries ?? MODBUS_DEFAULTS.retries,
    maxGap: device.max_gap ?? MODBUS_DEFAULTS.maxGap,
    maxGapBits: device.max_gap_bits ?? MODBUS_DEFAULTS.maxGapBits,
    maxRegisters: device.max_registers ?? MODBUS_DEFAULTS.maxRegisters,
    maxBits: device.max_bits ?? MODBUS_DEFAULTS.maxBits,
    reconnect: {
      initialMs: reconnect?.initial_ms ?? MODBUS_DEFAULTS.reconnectInitialMs,
      maxMs: reconnect?.max_ms ?? MODBUS_DEFAULTS.reconnectMaxMs,
    },
    points,
  };
}

/** Applies defaults to every device of a validated `modbus:` section. */
export function resolveConfig(config: ModbusConfig): ResolvedDevice[] {
  return config.devices.map((device) => resolveDevice(device, config));
}
