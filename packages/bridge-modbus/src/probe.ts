import { openClient, type ModbusClient } from './client.js';
import { BYTE_ORDERS, type ByteOrder } from './config.js';
import { formatConnection, type ConnectionSpec } from './connection-url.js';
import { decodeRegisters } from './decode.js';
import { ModbusBridgeError } from './errors.js';
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

/** Everything `--probe` prints, as data. */
export interface ProbeReport {
  device: string;
  connection: string;
  unitId: number;
  range: ProbeRange;
  registers: number[];
  /** Per start register, the 32-bit values under every byte order (while two registers remain). */
  wide32: { address: number; values: ProbeValues[] }[];
  /** Per start register, the 64-bit values under every byte order (while four registers remain). */
  wide64: { address: number; values: ProbeValues[] }[];
  /**
   * Per byte order, how many 32-bit floats starting at the first register and every second
   * one after it look plausible (non-zero, between 1e-6 and 1e9 in size).
   */
  plausible32: Record<ByteOrder, number>;
  /** How many aligned 32-bit readings `plausible32` counted over. */
  aligned32: number;
}

/** Parses `holding:100-119`, `input:0+8`, `100-119` or `100` (holding, 8 registers). Throws `PROBE_INVALID`. */
export function parseProbeRange(text: string): ProbeRange {
  const match = /^(?:(holding|input):)?(\d+)(?:([-+])(\d+))?$/.exec(text.trim());
  const invalid = (why: string): ModbusBridgeError =>
    new ModbusBridgeError('PROBE_INVALID', `--probe "${text}": ${why}. Use TABLE:FIRST-LAST or TABLE:FIRST+COUNT, e.g. holding:100-109 or input:0+8`);
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

/** Works out every 32- and 64-bit reading of `registers` (pure; what `--probe` prints). */
export function analyseRegisters(registers: readonly number[], range: ProbeRange, device: { name: string; connection: ConnectionSpec; unitId: number }): ProbeReport {
  const wide32 = [];
  const wide64 = [];
  const plausible32 = { ABCD: 0, BADC: 0, CDAB: 0, DCBA: 0 };
  let aligned32 = 0;
  for (let i = 0; i + 2 <= registers.length; i++) {
    const values = valuesAt(registers, i, 2);
    // Misaligned readings are mostly noise; count only values starting at the range's pace.
    if (i % 2 === 0) {
      aligned32 += 1;
      for (const v of values) if (v.plausible && v.float !== 0) plausible32[v.order] += 1;
    }
    wide32.push({ address: range.address + i, values });
  }
  for (let i = 0; i + 4 <= registers.length; i++) wide64.push({ address: range.address + i, values: valuesAt(registers, i, 4) });
  return {
    device: device.name,
    connection: formatConnection(device.connection),
    unitId: device.unitId,
    range,
    registers: [...registers],
    wide32,
    wide64,
    plausible32,
    aligned32,
  };
}

/** Reads `range` from `device` once and analyses it. Rejects with `CONNECT_FAILED`, `TIMEOUT`, `EXCEPTION`... */
export async function probeDevice(
  device: ResolvedDevice,
  range: ProbeRange,
  open: (spec: ConnectionSpec, timeoutMs: number) => Promise<ModbusClient> = openClient,
): Promise<ProbeReport> {
  const client = await open(device.connection, device.timeoutMs);
  try {
    const words = (await client.read(range.table, device.unitId, range.address, range.count, device.timeoutMs)) as number[];
    return analyseRegisters(words.slice(0, range.count), range, device);
  } finally {
    await client.close();
  }
}
