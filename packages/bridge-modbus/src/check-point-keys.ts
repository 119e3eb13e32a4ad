import type { SectionIssue } from '@fieldbridge/core/bridge';
import type { ModbusPointConfig, PointType } from './config.js';
import { isBitTable } from './decode.js';

/** Where an issue about one of the point's keys goes, relative to the section. */
type KeyPath = (key: string) => (string | number)[];

/**
 * The keys of one point that must fit its type and table: `bool` only on bit tables, `length`
 * with `string`, `bit` with `bit` and `bitfield` (with `bits`, within one register), `byte`
 * with `int8` and `uint8` (which take no `byte_order`), `scale`, `offset` and `deadband` with
 * numbers, `max_interval` with `deadband` or `on_change`. Pushes one issue per key that does not fit.
 */
export function checkPointKeys(point: ModbusPointConfig, type: PointType, here: KeyPath, issues: SectionIssue[]): void {
  const bitTable = isBitTable(point.table);
  if (bitTable && type !== 'bool') issues.push({ path: here('type'), message: `table ${point.table} holds single bits: use type bool (or omit type)` });
  if (!bitTable && type === 'bool') issues.push({ path: here('type'), message: `table ${point.table} holds registers: use type bit with bit: N for one bit of a register` });
  if (type === 'string' && point.length === undefined) issues.push({ path: here('type'), message: 'type string needs length (registers to read, 2 characters each)' });
  if (type !== 'string' && point.length !== undefined) issues.push({ path: here('length'), message: 'length applies to type string only' });
  checkBitKeys(point, type, here, issues);
  checkByteKeys(point, type, here, issues);
  if (bitTable && point.byte_order !== undefined) issues.push({ path: here('byte_order'), message: 'byte_order applies to register tables only' });
  const numeric = type !== 'bool' && type !== 'bit' && type !== 'string';
  for (const key of ['scale', 'offset', 'deadband'] as const) {
    if (!numeric && point[key] !== undefined) issues.push({ path: here(key), message: `${key} applies to numeric types only, not ${type}` });
  }
  if (point.scale === 0) issues.push({ path: here('scale'), message: 'scale 0 would turn every value into the offset' });
  if (point.max_interval !== undefined && point.deadband === undefined && !point.on_change) {
    issues.push({ path: here('max_interval'), message: `max_interval applies with deadband or on_change: it sends a held-back value anyway once the last one sent is that old (add on_change: true${numeric ? ' or a deadband' : ''})` });
  }
}

function checkBitKeys(point: ModbusPointConfig, type: PointType, here: KeyPath, issues: SectionIssue[]): void {
  if (type === 'bit' && point.bit === undefined) issues.push({ path: here('type'), message: 'type bit needs bit (0-15, 0 = least significant)' });
  if (type === 'bitfield') {
    if (point.bit === undefined) issues.push({ path: here('type'), message: 'type bitfield needs bit (its lowest bit, 0-15, 0 = least significant) and bits (how many)' });
    else if (point.bits === undefined) issues.push({ path: here('type'), message: `type bitfield needs bits (how many bits from bit ${point.bit} up)` });
    else if (point.bit + point.bits > 16) {
      issues.push({
        path: here('bits'),
        message: `bits ${point.bits} from bit ${point.bit} would reach bit ${point.bit + point.bits - 1}, past bit 15: a bitfield lies in one register, so bit + bits must be at most 16`,
      });
    }
  }
  if (type !== 'bit' && type !== 'bitfield' && point.bit !== undefined) issues.push({ path: here('bit'), message: 'bit applies to types bit and bitfield only' });
  if (type !== 'bitfield' && point.bits !== undefined) {
    issues.push({ path: here('bits'), message: `bits applies to type bitfield only (type: bitfield, bit: N, bits: W reads bits N to N+W-1 as an unsigned integer)` });
  }
}

function checkByteKeys(point: ModbusPointConfig, type: PointType, here: KeyPath, issues: SectionIssue[]): void {
  const eightBit = type === 'int8' || type === 'uint8';
  if (eightBit && point.byte === undefined) issues.push({ path: here('type'), message: `type ${type} needs byte: high (the register's first byte on the wire) or low` });
  if (!eightBit && point.byte !== undefined) issues.push({ path: here('byte'), message: 'byte applies to types int8 and uint8 only' });
  if (eightBit && point.byte_order !== undefined) {
    issues.push({
      path: here('byte_order'),
      message: `byte_order does not apply to ${type}: byte names the byte as it arrives (high = the register's first byte on the wire); for a device that swaps the bytes, name the other one`,
    });
  }
}
