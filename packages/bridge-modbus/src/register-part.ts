import type { ByteOrder, PointType, RegisterByte } from './config.js';

/** The part of one register a `bit`, `bitfield`, `int8` or `uint8` point reads. */
export interface RegisterPart {
  /**
   * Its bits in the register as it arrives (0x8000 is the first byte's most significant bit),
   * so parts under different byte orders compare.
   */
  mask: number;
  /** `bit 3`, `bits 4-7`, `high byte`: how messages and `--check` name it. */
  label: string;
}

/** What {@link registerPart} reads of a point. */
export interface PartSpec {
  type: PointType;
  bit?: number;
  bits?: number;
  byte?: RegisterByte;
}

const swapBytes = (word: number): number => ((word & 0xff) << 8) | (word >>> 8);

/**
 * The part of its register a point reads, or undefined for a point that reads registers whole
 * (or a coil). Bit numbers count in the register once `order` is undone, as the decoder reads
 * them (0 = least significant); `byte` names the byte as it arrives, whatever the order.
 */
export function registerPart(point: PartSpec, order: ByteOrder): RegisterPart | undefined {
  const swapped = order === 'BADC' || order === 'DCBA';
  if (point.type === 'int8' || point.type === 'uint8') {
    const byte = point.byte ?? 'high';
    return { mask: byte === 'high' ? 0xff00 : 0x00ff, label: `${byte} byte` };
  }
  if (point.type !== 'bit' && point.type !== 'bitfield') return undefined;
  const low = point.bit ?? 0;
  const width = point.type === 'bit' ? 1 : Math.min(point.bits ?? 1, 16 - low);
  const value = (((1 << width) - 1) << low) & 0xffff;
  const label = width === 1 ? `bit ${low}` : `bits ${low}-${low + width - 1}`;
  return { mask: swapped ? swapBytes(value) : value, label };
}
