import type { DbcMessage, DbcSignal } from '../../src/index.js';

export interface ReferenceValue {
  raw: bigint | number;
  value: number;
}
export function referenceRawBits(data: Uint8Array, signal: DbcSignal): bigint | undefined;
export function referenceSignal(data: Uint8Array, signal: DbcSignal): ReferenceValue | undefined;
export function referenceDecode(message: DbcMessage, data: Uint8Array): Map<string, ReferenceValue>;
export function sameValue(a: number, b: number): boolean;
export function sameSignalValue(signal: DbcSignal, a: number, b: number): boolean;
