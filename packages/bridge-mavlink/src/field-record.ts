/** A record's value: numbers (metrics), text and booleans (events), whole arrays (events). */
export type RecordValue = number | string | boolean | number[];

/** One value made from a message, named for the metric template's `{field}`. */
export interface FieldRecord {
  name: string;
  value: RecordValue;
  /** The value's unit after conversion (`deg`, `m/s`, `V`), absent when the field has none. */
  unit?: string;
}

/** `v * scale`, dividing by the inverse when the scale is an exact fraction such as 0.01 (so 250 gives 2.5, not 2.5000000000000004). */
export function applyScale(value: number, scale: number): number {
  const inverse = 1 / scale;
  return Math.abs(scale) < 1 && Number.isInteger(inverse) ? value / inverse : value * scale;
}

