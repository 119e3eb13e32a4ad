import { openClient, type ModbusClient } from './client.js';
import type { ModbusTable } from './config.js';
import type { ConnectionSpec } from './connection-url.js';
import { ModbusBridgeError } from './errors.js';
import type { ResolvedDevice } from './resolve.js';

/** Unit ids to ask, inclusive. */
export interface UnitRange {
  first: number;
  last: number;
}

/** The register (or bit) a scan reads from every unit id. */
export interface ScanRegister {
  table: ModbusTable;
  address: number;
}

/** What one unit id did when asked. */
export type UnitAnswer =
  /** It answered with the value asked for. */
  | { unit: number; kind: 'value'; value: number | boolean }
  /** It answered with a Modbus exception: a device is there (it refused the read, not the id). */
  | { unit: number; kind: 'exception'; code: number }
  /** A gateway answered for it with exception 10 or 11: the gateway is there, no device behind it answered. */
  | { unit: number; kind: 'gateway'; code: number }
  /** Something answered that did not decode (CRC, length): often a device at another baud rate or parity. */
  | { unit: number; kind: 'garbled'; message: string }
  /** The device closed the connection when asked for this id (some TCP devices do for ids they do not serve). */
  | { unit: number; kind: 'dropped'; message: string };

/** Everything `--scan-units` found, as data. */
export interface UnitScanReport {
  device: string;
  connection: ConnectionSpec;
  range: UnitRange;
  register: ScanRegister;
  timeoutMs: number;
  /** Every unit id that did something other than stay silent, in id order. */
  answers: UnitAnswer[];
}

/** Unit ids a line can address: 1-247 on a serial line (0 is broadcast, 248-255 reserved), 0-255 over TCP. */
export function unitIdLimits(spec: ConnectionSpec): UnitRange {
  return spec.kind === 'tcp' ? { first: 0, last: 255 } : { first: 1, last: 247 };
}

/**
 * Parses `--scan-units [RANGE]`: `1-247`, `17` or nothing (every id the line can address). Throws
 * `PROBE_INVALID` naming what is wrong.
 */
export function parseUnitRange(value: unknown, spec: ConnectionSpec): UnitRange {
  const limits = unitIdLimits(spec);
  if (typeof value !== 'string') return limits;
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  const where = spec.kind === 'rtu' ? 'a serial line' : spec.kind === 'tcp' ? 'Modbus TCP' : 'RTU over TCP';
  const addresses = `${where} addresses unit ids ${limits.first}-${limits.last}`;
  const invalid = (why: string): ModbusBridgeError => new ModbusBridgeError('PROBE_INVALID', `--scan-units ${value}: ${why}`);
  if (!match) throw invalid(`not a unit id range; give FIRST-LAST or one id (${addresses})`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last < first) throw invalid('the last id is before the first');
  if (first < limits.first || last > limits.last) throw invalid(addresses);
  return { first, last };
}

/** The register a scan reads: the device's first mapped point, which the device is known to have; else holding register 0. */
export function scanRegister(device: ResolvedDevice): ScanRegister {
  const point = device.points[0];
  return point ? { table: point.table, address: point.address } : { table: 'holding', address: 0 };
}

/** Options of {@link scanUnits}. */
export interface ScanUnitsOptions {
  range: UnitRange;
  register: ScanRegister;
  /** How long each id gets to answer. */
  timeoutMs: number;
  /** Called with each id that answered, as it answers. */
  onAnswer?: (answer: UnitAnswer) => void;
  /** Opens the line (default: modbus-serial through {@link openClient}). */
  open?: (spec: ConnectionSpec, timeoutMs: number) => Promise<ModbusClient>;
}

/** What an error from one read says about the id asked, or undefined for silence. */
function classify(unit: number, err: unknown): UnitAnswer | undefined {
  if (!(err instanceof ModbusBridgeError)) throw err;
  if (err.code === 'TIMEOUT') return undefined;
  if (err.code === 'EXCEPTION' && err.exceptionCode !== undefined) {
    return { unit, kind: err.exceptionCode === 10 || err.exceptionCode === 11 ? 'gateway' : 'exception', code: err.exceptionCode };
  }
  if (err.code === 'DISCONNECTED') return { unit, kind: 'dropped', message: err.message };
  if (err.code === 'BAD_RESPONSE') return { unit, kind: 'garbled', message: err.message };
  throw err;
}

/**
 * Asks every unit id of `range`, one at a time on one connection to the device's line, for one
 * value of `register`, and reports which ids answered and how. A connection the device closes is
 * opened again and the scan goes on. Rejects with `CONNECT_FAILED` when the line cannot be opened.
 */
export async function scanUnits(device: Pick<ResolvedDevice, 'name' | 'connection'>, options: ScanUnitsOptions): Promise<UnitScanReport> {
  // Each id is asked once, and a late answer from one id is never taken for another's (the unit
  // id is checked): no need to wait for late answers, which would double the time of silent ids.
  const open = options.open ?? ((spec: ConnectionSpec, ms: number) => openClient(spec, ms, undefined, { waitForLateAnswers: false }));
  const { range, register, timeoutMs } = options;
  const answers: UnitAnswer[] = [];
  let client: ModbusClient | undefined;
  try {
    for (let unit = range.first; unit <= range.last; unit++) {
      client ??= await open(device.connection, Math.max(timeoutMs, 1000));
      let answer: UnitAnswer | undefined;
      try {
        const [value] = await client.read(register.table, unit, register.address, 1, timeoutMs);
        answer = { unit, kind: 'value', value: value ?? 0 };
      } catch (err) {
        answer = classify(unit, err);
      }
      if (answer?.kind === 'dropped') {
        await client.close();
        client = undefined;
      }
      if (answer) {
        answers.push(answer);
        options.onAnswer?.(answer);
      }
    }
  } finally {
    await client?.close();
  }
  return { device: device.name, connection: device.connection, range, register, timeoutMs, answers };
}
