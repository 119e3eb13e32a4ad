import type { PyPoint } from './pymodbus.js';

/** A mapping entry for a point the pymodbus server wrote, named after where it lives. */
export function pyPointEntry(p: PyPoint): Record<string, unknown> {
  const entry: Record<string, unknown> = { metric: pyMetric(p), table: p.table, address: p.address, type: p.type };
  if (p.byte_order && p.table !== 'coil' && p.table !== 'discrete') entry.byte_order = p.byte_order;
  if (p.length !== undefined) entry.length = p.length;
  if (p.bit !== undefined) entry.bit = p.bit;
  if (p.bits !== undefined) entry.bits = p.bits;
  if (p.byte !== undefined) entry.byte = p.byte;
  return entry;
}

/** The type as a metric segment: `int32`, `bit3`, `bitfield4-7`, `int8high`. */
function typeSegment(p: PyPoint): string {
  if (p.type === 'bit') return `bit${p.bit}`;
  if (p.type === 'bitfield') return `bitfield${p.bit}-${(p.bit ?? 0) + (p.bits ?? 1) - 1}`;
  return p.byte === undefined ? p.type : `${p.type}${p.byte}`;
}

/** `holding.40.int32.BADC`, `holding.210.bit3`, `holding.212.int8high`, `coil.4`... */
export function pyMetric(p: PyPoint): string {
  const parts: (string | number)[] = [p.table, p.address];
  if (p.table === 'holding' || p.table === 'input') parts.push(typeSegment(p));
  if (p.byte_order && p.type !== 'bit' && p.table !== 'coil' && p.table !== 'discrete') parts.push(p.byte_order);
  return parts.join('.');
}

/**
 * The value the bridge should decode for what the server wrote: a float32 comes back as the
 * decimal pymodbus was given (the shortest one that reads back to the same float32), 64-bit
 * integers as doubles.
 */
export function pyExpected(p: PyPoint): number | string | boolean {
  if (p.type === 'int64' || p.type === 'uint64') return Number(BigInt(p.value as string));
  return p.value;
}
