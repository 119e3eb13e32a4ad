/**
 * `raw * scale + offset` computed on integers where both are short decimals, so a scale of
 * 0.01 turns 2506 into 25.06 and 0.35 turns -22 into -7.7 (not -7.699999999999999): the
 * result is the double nearest the exact decimal, since one integer division rounds once.
 */
export interface LinearMap {
  readonly mul: number;
  readonly add: number;
  readonly div: number;
  /** Fallbacks for values whose integer form would pass 2^53. */
  readonly scale: number;
  readonly offset: number;
}

const MAX_DECIMALS = 15;

/** Decimal places of `x` when it is a short decimal (at most 15 places), else undefined. */
function decimals(x: number): number | undefined {
  for (let d = 0, p = 1; d <= MAX_DECIMALS; d++, p *= 10) {
    if (Math.round(x * p) / p === x) return d;
  }
  return undefined;
}

/** Compiles `raw * scale + offset` (defaults 1 and 0); see {@link LinearMap}. */
export function linearMap(scale = 1, offset = 0): LinearMap {
  const ds = decimals(scale);
  const dof = decimals(offset);
  if (ds === undefined || dof === undefined) return { mul: scale, add: offset, div: 1, scale, offset };
  const div = 10 ** Math.max(ds, dof);
  return { mul: Math.round(scale * div), add: Math.round(offset * div), div, scale, offset };
}

/** Applies `map` to an integer `raw`. */
export function applyLinear(raw: number, map: LinearMap): number {
  if (map.div === 1) return raw * map.mul + map.add;
  const scaled = raw * map.mul + map.add;
  if (Math.abs(scaled) > Number.MAX_SAFE_INTEGER) return raw * map.scale + map.offset;
  return scaled / map.div;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of an even-length hex string, or undefined when it is not one. */
export function parseHex(text: string): Uint8Array | undefined {
  if (!HEX.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A DataView over `bytes` without copying. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
