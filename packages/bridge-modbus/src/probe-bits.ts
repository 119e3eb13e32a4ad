import { textTable } from '@fieldbridge/core/bridge';
import { busyPolicy, readWhileBusy } from './_busy.js';
import { openClient, type ModbusClient } from './client.js';
import { formatConnection, type ConnectionSpec } from './connection-url.js';
import { isGatewayException, isModbusBridgeError, ModbusBridgeError } from './errors.js';
import { gatewayHint } from './exception-hint.js';
import type { ResolvedDevice } from './resolve.js';

/** A range of coils or discrete inputs to probe. */
export interface BitProbeRange {
  table: 'coil' | 'discrete';
  /** First bit, 0-based. */
  address: number;
  /** Bits to read, 1 to 2000. */
  count: number;
}

/** What `--probe coil:...` prints, as data. */
export interface BitProbeReport {
  device: string;
  connection: string;
  unitId: number;
  range: BitProbeRange;
  bits: boolean[];
}

/** Bits one request reads at most (Modbus functions 1 and 2). */
const MAX_BITS = 2000;
/** Bits a probe reads when the range gives only its first address. */
const DEFAULT_BITS = 16;
/** Bits per printed row. */
const ROW = 16;

/**
 * Parses `coil:0-15`, `discrete:100+8`, `coils:3` (16 bits from 3); undefined when `text` does
 * not name a table of bits (it is then a register range). Throws `PROBE_INVALID`.
 */
export function parseBitProbeRange(text: string): BitProbeRange | undefined {
  const named = /^(coil|discrete)s?(?::(.*))?$/i.exec(text.trim());
  if (!named) return undefined;
  const table = named[1]!.toLowerCase() as BitProbeRange['table'];
  const invalid = (why: string): ModbusBridgeError =>
    new ModbusBridgeError('PROBE_INVALID', `--probe "${text}": ${why}. Use ${table}:FIRST-LAST or ${table}:FIRST+COUNT, e.g. ${table}:0-15`);
  const span = /^(\d+)(?:([-+])(\d+))?$/.exec((named[2] ?? '0').trim());
  if (!span) throw invalid(`not a range of ${table === 'coil' ? 'coils' : 'discrete inputs'}`);
  const address = Number(span[1]);
  const count = span[2] === '-' ? Number(span[3]) - address + 1 : span[2] === '+' ? Number(span[3]) : DEFAULT_BITS;
  if (count < 1) throw invalid('the last address is before the first');
  if (count > MAX_BITS) throw invalid(`${count} bits is more than one request can read (${MAX_BITS})`);
  if (address + count - 1 > 65535) throw invalid('the range runs past address 65535');
  return { table, address, count };
}

/** What to try when a device refuses a probe of bits with exception `code`; undefined for others. */
function refusalHint(code: number | undefined, range: BitProbeRange): string | undefined {
  const { table, address, count } = range;
  const other = table === 'coil' ? 'discrete' : 'coil';
  const span = count === 1 ? `${address}` : `${address}-${address + count - 1}`;
  if (code === 1) return `the device has no ${table === 'coil' ? 'coils' : 'discrete inputs'} (function ${table === 'coil' ? 1 : 2}); try ${other}:${span}`;
  if (code === 2) return count > 1 ? `some address of ${table} ${span} does not exist on the device; probe fewer (${table}:${address}+1 asks for one), or try ${other}:${span}` : `the device has no ${table} ${address}; try ${other}:${address}`;
  return undefined;
}

/** Reads `range` of coils or discrete inputs from `device` once. Rejects as {@link probeDevice} does. */
export async function probeBits(
  device: ResolvedDevice,
  range: BitProbeRange,
  open: (spec: ConnectionSpec, timeoutMs: number) => Promise<ModbusClient> = openClient,
): Promise<BitProbeReport> {
  const client = await open(device.connection, device.timeoutMs);
  try {
    let bits: boolean[];
    try {
      bits = (await readWhileBusy(() => client.read(range.table, device.unitId, range.address, range.count, device.timeoutMs), busyPolicy(device))) as boolean[];
    } catch (err) {
      if (!isModbusBridgeError(err, 'EXCEPTION')) throw err;
      const code = err.exceptionCode ?? 0;
      const hint = isGatewayException(code) ? gatewayHint(code, device).slice(2) : refusalHint(code, range);
      throw hint === undefined ? err : new ModbusBridgeError('EXCEPTION', `${err.message}: ${hint}`, { cause: err, exceptionCode: err.exceptionCode });
    }
    return { device: device.name, connection: formatConnection(device.connection), unitId: device.unitId, range, bits: bits.slice(0, range.count) };
  } finally {
    await client.close();
  }
}

/**
 * Renders a probe of bits: a row per 16 addresses, a column per offset (`1` on, `.` off), then
 * the addresses that are on, as the points to map them would name them.
 */
export function formatBitProbe(report: BitProbeReport): string {
  const { range, bits } = report;
  const last = range.address + range.count - 1;
  const out = [`device ${report.device} (unit ${report.unitId} on ${report.connection}), ${range.table} ${range.address}-${last}`, ''];
  const rows: string[][] = [];
  for (let i = 0; i < bits.length; i += ROW) {
    rows.push([String(range.address + i), ...bits.slice(i, i + ROW).map((b) => (b ? '1' : '.'))]);
  }
  const width = Math.min(ROW, bits.length);
  out.push(...textTable([['address', ...Array.from({ length: width }, (_, i) => `+${i}`)], ...rows]));
  const on = bits.flatMap((b, i) => (b ? [range.address + i] : []));
  out.push('', on.length === 0 ? `none on (${bits.length} read)` : `on: ${on.join(', ')} (${on.length} of ${bits.length}); map one as { table: ${range.table}, address: ${on[0]} }`);
  return `${out.join('\n')}\n`;
}
