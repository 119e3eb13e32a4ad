import { formatDuration, type SectionIssue } from '@fieldbridge/core/bridge';
import type { ModbusConfig, ModbusDeviceConfig, ModbusPointConfig, ModbusTable } from './config.js';
import { formatConnection, lineKey, parseConnection, type ConnectionSpec } from './connection-url.js';
import { checkPointKeys } from './check-point-keys.js';
import { isBitTable, pointWidth } from './decode.js';
import { lineTimeWarning } from './_line-time.js';
import { modiconWarnings } from './modicon.js';
import { describeRequest } from './plan.js';
import { registerPart, type RegisterPart } from './register-part.js';
import { effectiveType, MODBUS_DEFAULTS, renderMetric } from './resolve.js';

/**
 * The checks of a `modbus:` section the schema cannot express (`definition.check`): duplicate
 * device names, connection URLs, devices disagreeing on a shared serial line, unit ids an RTU
 * line cannot address, metric names (and two points of a device under one name and the same
 * tags), types that do not fit their table, overlapping or out-of-range addresses; and warns of
 * addresses that read like Modicon register numbers. Pure; every issue's path is relative to the
 * section.
 */
export function checkModbus(section: ModbusConfig): SectionIssue[] {
  const issues: SectionIssue[] = [];
  const names = new Map<string, number>();
  const lines = new Map<string, { spec: ConnectionSpec; index: number }>();
  section.devices.forEach((device, d) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['devices', d, ...rest];
    const seen = names.get(device.name);
    if (seen !== undefined) issues.push({ path: at('name'), message: `device name "${device.name}" is already used by devices[${seen}]` });
    else names.set(device.name, d);
    const parsed = parseConnection(device.connection);
    if (!parsed.ok) {
      issues.push({ path: at('connection'), message: parsed.message });
    } else {
      checkLine(parsed.spec, d, lines, issues);
      const unit = device.unit_id ?? MODBUS_DEFAULTS.unitId;
      if (parsed.spec.kind !== 'tcp' && (unit < 1 || unit > 247)) {
        issues.push({ path: at('unit_id'), message: `unit_id ${unit} cannot be addressed on an RTU line (use 1-247)` });
      }
    }
    const before = issues.length;
    checkPoints(device, at, issues);
    const slow = issues.length === before ? lineTimeWarning(device, at()) : undefined;
    if (slow) issues.push(slow);
  });
  issues.push(...modiconWarnings(section));
  return issues;
}

/** Devices sharing a serial port must agree on its settings; TCP and RTU framing cannot share a socket. */
function checkLine(spec: ConnectionSpec, d: number, lines: Map<string, { spec: ConnectionSpec; index: number }>, issues: SectionIssue[]): void {
  const key = lineKey(spec);
  const first = lines.get(key);
  if (!first) {
    lines.set(key, { spec, index: d });
    return;
  }
  if (formatConnection(first.spec) !== formatConnection(spec)) {
    issues.push({
      path: ['devices', d, 'connection'],
      message: `devices[${first.index}] uses the same line as ${formatConnection(first.spec)}; devices sharing a line must use identical settings`,
    });
  }
}

function checkPoints(device: ModbusDeviceConfig, at: (...rest: (string | number)[]) => (string | number)[], issues: SectionIssue[]): void {
  if (device.points.length === 0) {
    issues.push({ path: at('points'), message: `device "${device.name}" has no points: list the values to read (bridge-modbus --probe holding:0-9 --device ${device.name} shows registers under every type and byte order)`, runOnly: true });
    return;
  }
  const maxRegisters = device.max_registers ?? MODBUS_DEFAULTS.maxRegisters;
  /** What each point occupies; `part` for a point that reads part of one register. */
  const taken: { table: string; start: number; end: number; part?: RegisterPart; index: number }[] = [];
  /** Series (metric name, unit and tags) already named by a point, by its index. */
  const series = new Map<string, number>();
  device.points.forEach((point, p) => {
    const here = (key: string): (string | number)[] => at('points', p, key);
    const type = effectiveType(point);
    const before = issues.length;
    checkPointKeys(point, type, here, issues);
    const devicePollMs = device.poll_ms ?? MODBUS_DEFAULTS.pollMs;
    if (point.poll_ms !== undefined && point.poll_ms <= devicePollMs) {
      const fast = formatDuration(point.poll_ms);
      issues.push({
        path: here('poll_ms'),
        message: `a point's poll_ms reads it less often than its device polls (every ${formatDuration(devicePollMs)}), never more often: to read it every ${fast}, set the device's poll_ms to ${fast} and give its slower points a poll_ms of their own`,
      });
    }
    const metric = renderMetric(point.metric, { device: device.name, unitId: device.unit_id ?? MODBUS_DEFAULTS.unitId, table: point.table, address: point.address });
    if (!metric.ok) issues.push({ path: here('metric'), message: metric.message });
    else {
      // Two values under one name and the same tags would be one series of the receiver, mixed.
      const key = JSON.stringify([metric.text, point.unit ?? null, Object.entries(point.tags ?? {}).sort()]);
      const first = series.get(key);
      if (first !== undefined) issues.push({ path: here('metric'), message: `"${metric.text}" is already the metric of points[${first}] with the same tags: the two values would mix in one series; give one another name or a tag` });
      else series.set(key, p);
    }
    if (issues.length > before) return;
    const width = pointWidth(type, point.length);
    const end = point.address + width - 1;
    if (end > 65535) {
      issues.push({ path: here('address'), message: `${type} at ${point.address} needs ${width} addresses and runs past 65535` });
      return;
    }
    if (!isBitTable(point.table) && width > maxRegisters) {
      issues.push({ path: here(type === 'string' ? 'length' : 'type'), message: `${width} registers do not fit in one request of max_registers ${maxRegisters}` });
      return;
    }
    const part = registerPart({ ...point, type }, point.byte_order ?? device.byte_order ?? MODBUS_DEFAULTS.byteOrder);
    const clash = taken.find((t) => t.table === point.table && t.start <= end && point.address <= t.end && collides(t.part, part));
    if (clash) {
      issues.push({ path: here('address'), message: overlapMessage(point.table, point.address, end, part, clash) });
      return;
    }
    taken.push({ table: point.table, start: point.address, end, index: p, ...(part ? { part } : {}) });
  });
}

/**
 * Two values on one address collide when both read whole registers, or both read parts of one
 * and share a bit (a `uint16` status word and its flags as `bit` points may coexist).
 */
function collides(a: RegisterPart | undefined, b: RegisterPart | undefined): boolean {
  if (a === undefined && b === undefined) return true;
  return a !== undefined && b !== undefined && (a.mask & b.mask) !== 0;
}

function overlapMessage(table: ModbusTable, start: number, end: number, part: RegisterPart | undefined, clash: { start: number; end: number; part?: RegisterPart; index: number }): string {
  if (part && clash.part) {
    return `${table} ${start} ${part.label}: points[${clash.index}] already reads ${clash.part.label} of this register; points may share a register only on different bits`;
  }
  return `${describeRequest({ table, address: start, count: end - start + 1 })} overlaps points[${clash.index}] (${describeRequest({ table, address: clash.start, count: clash.end - clash.start + 1 })}); only points reading part of a register (bit, bitfield, int8, uint8) may share one, and not the same bits`;
}
