import { busyPolicy, readWhileBusy } from './_busy.js';
import { openClient, type ModbusClient } from './client.js';
import { BYTE_ORDERS, type ByteOrder } from './config.js';
import { formatConnection, type ConnectionSpec } from './connection-url.js';
import { decodeRegisters } from './decode.js';
import { isGatewayException, isModbusBridgeError, ModbusBridgeError } from './errors.js';
import { gatewayHint } from './exception-hint.js';
import { floatEvidence, type FloatEvidence } from './probe-hint.js';
import type { ResolvedDevice } from './resolve.js';

/** A register range to probe. */
export interface ProbeRange {
  table: 'input' | 'holding';
  /** First register, 0-based. */
  address: number;
  /** Registers to read, 1 to 125. */
  count: number;
}

/** The values one start register gives under one byte order. */
export interface ProbeValues {
  order: ByteOrder;
  /** The value's bytes, most significant first, once `order` is undone (`0x41460000`). */
  hex: string;
  unsigned: number | bigint;
  signed: number | bigint;
  float: number;
  /** True when `float` looks like a measurement (finite, zero or between 1e-6 and 1e9 in size). */
  plausible: boolean;
}

/** One register's 16-bit values with its two bytes as sent (`AB`) or swapped (`BA`). */
export interface ProbeValues16 {
  /** `AB`: as sent, what `byte_order: ABCD` or `CDAB` reads; `BA`: swapped, what `BADC` or `DCBA` reads. */
  order: 'AB' | 'BA';
  /** The value's bytes, most significant first, once `order` is undone (`0x4146` sent reads `0x4641` as `BA`). */
  hex: string;
  unsigned: number;
  signed: number;
  /** As the bridge sends a `float16`: the shortest decimal reading back to the same half. */
  float: number;
}

/** Everything `--probe` prints, as data. */
export interface ProbeReport {
  device: string;
  connection: string;
  unitId: number;
  range: ProbeRange;
  registers: number[];
  /** Per register, its 16-bit values as sent and with its bytes swapped. */
  values16: { address: number; values: ProbeValues16[] }[];
  /** Per start register, the 32-bit values under every byte order (while two registers remain). */
  wide32: { address: number; values: ProbeValues[] }[];
  /** Per start register, the 64-bit values under every byte order (while four registers remain). */
  wide64: { address: number; values: ProbeValues[] }[];
  /**
   * Per byte order, the 32-bit floats that look like measurements (short numbers, or in line
   * with the reading two registers away), from any start register, no two sharing a register.
   */
  evidence32: Record<ByteOrder, FloatEvidence[]>;
}

/** Parses `holding:100-119`, `input:0+8`, `100-119` or `100` (holding, 8 registers). Throws `PROBE_INVALID`. */
export function parseProbeRange(text: string): ProbeRange {
  const match = /^(?:(holding|input):)?(\d+)(?:([-+])(\d+))?$/.exec(text.trim());
  const invalid = (why: string): ModbusBridgeError =>
    new ModbusBridgeError('PROBE_INVALID', `--probe "${text}": ${why}. Use TABLE:FIRST-LAST or TABLE:FIRST+COUNT, e.g. holding:100-109 or input:0+8`);
  const bits = /^(coil|discrete)s?(?::|$)/i.exec(text.trim())?.[1]?.toLowerCase();
  if (!match && bits !== undefined) {
    throw invalid(`${bits} holds bits, not registers: parseBitProbeRange and probeBits read it`);
  }
  if (!match) throw invalid('not a register range');
  const table = (match[1] ?? 'holding') as ProbeRange['table'];
  const address = Number(match[2]);
  const count = match[3] === '-' ? Number(match[4]) - address + 1 : match[3] === '+' ? Number(match[4]) : 8;
  if (count < 1) throw invalid('the last register is before the first');
  if (count > 125) throw invalid(`${count} registers is more than one request can read (125)`);
  if (address + count - 1 > 65535) throw invalid('the range runs past register 65535');
  return { table, address, count };
}


function isPlausible(v: number): boolean {
  return Number.isFinite(v) && (v === 0 || (Math.abs(v) >= 1e-6 && Math.abs(v) <= 1e9));
}

function valuesAt(words: readonly number[], at: number, width: 2 | 4): ProbeValues[] {
  return BYTE_ORDERS.map((order) => {
    const [u, s, f] = width === 2 ? (['uint32', 'int32', 'float32'] as const) : (['uint64', 'int64', 'float64'] as const);
    const float = decodeRegisters(words, at, { type: f, byteOrder: order }) as number;
    const unsigned = decodeRegisters(words, at, { type: u, byteOrder: order }) as number | bigint;
    return {
      order,
      hex: `0x${unsigned.toString(16).padStart(width * 4, '0')}`,
      unsigned,
      signed: decodeRegisters(words, at, { type: s, byteOrder: order }) as number | bigint,
      float,
      plausible: isPlausible(float),
    };
  });
}

function values16At(words: readonly number[], at: number): ProbeValues16[] {
  return (['AB', 'BA'] as const).map((order) => {
    const byteOrder = order === 'AB' ? 'ABCD' : 'BADC';
    const unsigned = decodeRegisters(words, at, { type: 'uint16', byteOrder }) as number;
    return {
      order,
      hex: `0x${unsigned.toString(16).padStart(4, '0')}`,
      unsigned,
      signed: decodeRegisters(words, at, { type: 'int16', byteOrder }) as number,
      float: decodeRegisters(words, at, { type: 'float16', byteOrder }) as number,
    };
  });
}

/** Works out every 16-, 32- and 64-bit reading of `registers` (pure; what `--probe` prints). */
export function analyseRegisters(registers: readonly number[], range: ProbeRange, device: { name: string; connection: ConnectionSpec; unitId: number }): ProbeReport {
  const wide32 = [];
  const wide64 = [];
  for (let i = 0; i + 2 <= registers.length; i++) wide32.push({ address: range.address + i, values: valuesAt(registers, i, 2) });
  for (let i = 0; i + 4 <= registers.length; i++) wide64.push({ address: range.address + i, values: valuesAt(registers, i, 4) });
  return {
    device: device.name,
    connection: formatConnection(device.connection),
    unitId: device.unitId,
    range,
    registers: [...registers],
    values16: registers.map((_, i) => ({ address: range.address + i, values: values16At(registers, i) })),
    wide32,
    wide64,
    evidence32: floatEvidence(wide32),
  };
}

/**
 * What to try when a device refuses a probe of `range` with Modbus exception `code` (1 ILLEGAL
 * FUNCTION, 2 ILLEGAL DATA ADDRESS, 3 ILLEGAL DATA VALUE); undefined for other codes.
 */
export function probeRefusalHint(code: number | undefined, range: ProbeRange): string | undefined {
  const { table, address, count } = range;
  const last = address + count - 1;
  const other = table === 'holding' ? 'input' : 'holding';
  const span = count === 1 ? `${address}` : `${address}-${last}`;
  switch (code) {
    case 1:
      return `the device has no ${table} registers (function ${table === 'holding' ? 3 : 4}); try ${other}:${span}`;
    case 2:
      if (count > 1) return `some register of ${table} ${span} does not exist on the device; probe fewer (${table}:${address}+1 asks for one), or try ${other}:${span}`;
      return `the device has no ${table} register ${address}; try ${other}:${address}${address > 0 ? `, or ${table}:${address - 1} if its register map counts from 1` : ''}`;
    case 3:
      return count > 1 ? `the device reads fewer than ${count} registers at once; probe fewer (${table}:${address}+${Math.ceil(count / 2)})` : undefined;
    default:
      return undefined;
  }
}

/**
 * `err` with {@link probeRefusalHint}'s advice added to its message, when it is an exception that
 * has one; a gateway's exception 10 or 11 says what to check behind the gateway.
 */
function withRefusalHint(err: unknown, range: ProbeRange, device: ResolvedDevice): unknown {
  if (!isModbusBridgeError(err, 'EXCEPTION')) return err;
  const code = err.exceptionCode ?? 0;
  const hint = isGatewayException(code) ? gatewayHint(code, device).slice(2) : probeRefusalHint(code, range);
  return hint === undefined ? err : new ModbusBridgeError('EXCEPTION', `${err.message}: ${hint}`, { cause: err, exceptionCode: err.exceptionCode });
}

/**
 * Reads `range` from `device` once and analyses it. Rejects with `CONNECT_FAILED`, `TIMEOUT`,
 * `EXCEPTION` (its message saying what to probe instead)...
 */
export async function probeDevice(
  device: ResolvedDevice,
  range: ProbeRange,
  open: (spec: ConnectionSpec, timeoutMs: number) => Promise<ModbusClient> = openClient,
): Promise<ProbeReport> {
  const client = await open(device.connection, device.timeoutMs);
  try {
    let words: number[];
    try {
      words = (await readWhileBusy(() => client.read(range.table, device.unitId, range.address, range.count, device.timeoutMs), busyPolicy(device))) as number[];
    } catch (err) {
      throw withRefusalHint(err, range, device);
    }
    return analyseRegisters(words.slice(0, range.count), range, device);
  } finally {
    await client.close();
  }
}
