/**
 * What a StatusCode says about a value (OPC UA Part 4, 7.39): bits 31-30 are the severity
 * (00 Good, 01 Uncertain, 10 and 11 Bad). A point carries it as its `quality` tag.
 */
export type Quality = 'good' | 'uncertain' | 'bad';

/** The severity of status code `code` (a 32-bit unsigned number). */
export function qualityOf(code: number): Quality {
  const severity = (code >>> 30) & 0b11;
  if (severity === 0) return 'good';
  return severity === 1 ? 'uncertain' : 'bad';
}

/**
 * True when the server's queue for a monitored item overflowed before this value, so older
 * values were discarded (Part 4, 7.39: InfoType bits 11-10 = 01 "DataValue", then Overflow is
 * bit 7). Such a value keeps its severity: usually Good.
 */
export function hasOverflow(code: number): boolean {
  return (code & 0xc00) === 0x400 && (code & 0x80) !== 0;
}

/** The code without its info bits (bits 15-0): what names a status, e.g. 0x80340000. */
export function statusBase(code: number): number {
  return (code & 0xffff0000) >>> 0;
}

/**
 * Looks up the symbolic name of a base status code. Built from node-opcua's table once it is
 * loaded (see `statusNamesFrom`); {@link statusName} falls back to hexadecimal without it.
 */
export type StatusNames = ReadonlyMap<number, string>;

/**
 * The name of `code`: `Good`, `BadNodeIdUnknown`, ... from `names`; `Good` for 0 and
 * `0x80340000`-style hexadecimal otherwise when no name is known. Info bits are ignored.
 */
export function statusName(code: number, names?: StatusNames): string {
  const base = statusBase(code);
  const known = names?.get(base);
  if (known !== undefined) return known;
  if (base === 0) return 'Good';
  return `0x${base.toString(16).padStart(8, '0')}`;
}

/** Builds {@link StatusNames} from node-opcua's `StatusCodes` object (name -> `{ value }`). */
export function statusNamesFrom(table: object): StatusNames {
  const names = new Map<number, string>();
  for (const [name, code] of Object.entries(table)) {
    const value = (code as { value?: unknown } | null)?.value;
    if (typeof value === 'number' && !names.has(statusBase(value))) names.set(statusBase(value), name);
  }
  return names;
}
