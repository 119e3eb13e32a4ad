/**
 * A check of a Sparkplug B payload's protobuf framing before it is decoded: protobufjs reads a
 * varint cut short at the end of a message (`08 ff ff ff` decodes as timestamp 2097151) and a
 * field of the wrong wire type (`0a 05` as timestamp 5) without a word, so damaged bytes would
 * pass as a payload. Walked here: every tag and varint ends inside its message (at most 10
 * bytes), every length fits, and the fields of Payload and Metric have the wire types of
 * Sparkplug B's schema (sparkplug_b.proto); a Metric's own messages are checked for length only.
 */

/** Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
interface Shape {
  wire: Readonly<Record<number, number>>;
  /** Length-delimited fields that hold a message of this kind. */
  nested?: Readonly<Record<number, Shape>>;
}

const METRIC: Shape = {
  // name, alias, timestamp, datatype, is_historical, is_transient, is_null, metadata, properties,
  // int, long, float, double, boolean, string, bytes, dataset, template, extension.
  wire: { 1: 2, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 2, 9: 2, 10: 0, 11: 0, 12: 5, 13: 1, 14: 0, 15: 2, 16: 2, 17: 2, 18: 2, 19: 2 },
};

const PAYLOAD: Shape = {
  // timestamp, metrics, seq, uuid, body.
  wire: { 1: 0, 2: 2, 3: 0, 4: 2, 5: 2 },
  nested: { 2: METRIC },
};

/** The end of the varint at `at`, or -1 when it does not end before `end` (or runs past 10 bytes). */
function varintEnd(bytes: Uint8Array, at: number, end: number): number {
  for (let i = at; i < end && i < at + 10; i++) if ((bytes[i]! & 0x80) === 0) return i + 1;
  return -1;
}

/** The varint at `at` as a number (exact up to 2^53), for tags and lengths. */
function varintValue(bytes: Uint8Array, at: number, stop: number): number {
  let value = 0;
  for (let i = at, scale = 1; i < stop; i++, scale *= 128) value += (bytes[i]! & 0x7f) * scale;
  return value;
}

/** Why the bytes are no well-formed Sparkplug B payload, or undefined when they are. */
export function sparkplugWireProblem(bytes: Uint8Array): string | undefined {
  return walk(bytes, 0, bytes.length, PAYLOAD, 'Payload');
}

function walk(bytes: Uint8Array, start: number, end: number, shape: Shape, name: string): string | undefined {
  let at = start;
  while (at < end) {
    const tagEnd = varintEnd(bytes, at, end);
    if (tagEnd < 0) return `${name}: a field tag cut short at byte ${at}`;
    const tag = varintValue(bytes, at, tagEnd);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const expected = shape.wire[field];
    if (expected !== undefined && expected !== wire) return `${name} field ${field} has wire type ${wire}, not ${expected}`;
    at = tagEnd;
    if (wire === 0) {
      const valueEnd = varintEnd(bytes, at, end);
      if (valueEnd < 0) return `${name} field ${field}: a varint cut short at byte ${at}`;
      at = valueEnd;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > end) return `${name} field ${field}: ${wire === 1 ? 8 : 4} bytes run past the end`;
    } else if (wire === 2) {
      const lengthEnd = varintEnd(bytes, at, end);
      if (lengthEnd < 0) return `${name} field ${field}: a length cut short at byte ${at}`;
      const length = varintValue(bytes, at, lengthEnd);
      at = lengthEnd;
      if (length > end - at) return `${name} field ${field}: ${length} bytes run past the end`;
      const inner = shape.nested?.[field];
      const problem = inner === undefined ? undefined : walk(bytes, at, at + length, inner, 'Metric');
      if (problem) return problem;
      at += length;
    } else return `${name} field ${field} has wire type ${wire} (groups are not in Sparkplug B)`;
  }
  return undefined;
}
