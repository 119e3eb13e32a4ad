import type { ModbusTable } from './config.js';
import { isBitTable } from './decode.js';
import type { ReadRequest } from './plan.js';

/** One of what a table holds, as the hints name it. */
const ONE: Record<ModbusTable, string> = { coil: 'coil', discrete: 'discrete input', input: 'input register', holding: 'holding register' };
/** The read function of each table. */
const FUNCTION: Record<ModbusTable, number> = { coil: 1, discrete: 2, input: 4, holding: 3 };
/** The table a value mapped to the wrong one most likely lives in. */
const OTHER: Record<ModbusTable, ModbusTable> = { coil: 'discrete', discrete: 'coil', input: 'holding', holding: 'input' };

/**
 * What to write when a device refused a poll's read with Modbus exception `code` and the read
 * could not be cut any further (one point, or points sharing their registers): for 1 ILLEGAL
 * FUNCTION, the table to try; for 2 ILLEGAL DATA ADDRESS, the address to check (a register
 * number from a manual, a map counting from 1, the other table) and the `--probe` that reads it
 * alone. Starts with `; ` so it follows the exception's name; empty for other codes.
 */
export function pollRefusalHint(code: number, request: Pick<ReadRequest, 'table' | 'address' | 'count'>, device: string): string {
  const { table, address, count } = request;
  const other = OTHER[table];
  if (code === 1) {
    return `; the device has no ${ONE[table]}s (function ${FUNCTION[table]}): check the point's table in the device's register map (table: ${other} reads function ${FUNCTION[other]})`;
  }
  if (code !== 2) return '';
  // 40001-style numbers are the commonest cause: say how they map.
  if (address >= 10_001 && address <= 49_999) {
    return `; if ${address} is a register number from a manual (4xxxx, 3xxxx), addresses count from 0 in the table: 40001 is holding 0, 30001 input 0`;
  }
  const span = count === 1 ? `${address}` : `${address}-${address + count - 1}`;
  const fromOne = address > 0 ? `, address: ${address - 1} if its register map counts from 1` : '';
  const probe = isBitTable(table) ? '' : `; bridge-modbus --probe ${table}:${address}+${count} --device ${device} reads it alone`;
  return `; the device has no ${ONE[table]}${count === 1 ? '' : 's'} ${span}: check the address in its register map${fromOne}, or table: ${other}${probe}`;
}

/**
 * What to check when a gateway answered for the device behind it (10 GATEWAY PATH UNAVAILABLE, 11
 * GATEWAY TARGET DEVICE FAILED TO RESPOND): starts with `; ` so it follows the exception's name.
 */
export function gatewayHint(code: number, device: { name: string; unitId: number }): string {
  const scan = `bridge-modbus --scan-units --device ${device.name} lists the unit ids that answer`;
  if (code === 10) return `; the gateway has no route to unit ${device.unitId}: check the gateway's unit id mapping and which of its ports the device is on (${scan})`;
  return `; the gateway is there but no device answered it at unit ${device.unitId}: check the device is powered and wired (A/B, termination), the gateway's serial settings, and unit_id ${device.unitId} (${scan})`;
}

/** What to write when a device refused a read's length with ILLEGAL DATA VALUE (the read is halved meanwhile). */
export function sizeRefusalHint(table: ModbusTable): string {
  const [what, key] = isBitTable(table) ? ['bits', 'max_bits'] : ['registers', 'max_registers'];
  return ` (a device that reads fewer ${what} per request answers so: ${key} in the mapping sizes the reads from the start)`;
}
