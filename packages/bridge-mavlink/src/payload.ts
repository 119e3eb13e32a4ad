import type { FieldDef, MessageDef } from './dialect.js';

/** A decoded field: numbers (bigint for 64-bit integers), a string for `char` arrays, arrays for other arrays. */
export type FieldValue = number | bigint | string | number[] | bigint[];

// Decoding is synchronous, so one scratch buffer serves every trimmed payload without allocating.
const scratch = new Uint8Array(256);
const scratchView = new DataView(scratch.buffer);
const utf8 = new TextDecoder('utf-8');

/**
 * A view of `payload` at least as long as the message's full payload: MAVLink 2 senders trim
 * trailing zero bytes (and MAVLink 1 frames carry no extension fields), and the specification
 * reads what is missing as zeros. The view into the shared scratch is valid until the next call.
 */
export function payloadView(message: MessageDef, payload: Uint8Array): DataView {
  if (payload.length >= message.maxLength) return new DataView(payload.buffer, payload.byteOffset, payload.length);
  scratch.set(payload);
  scratch.fill(0, payload.length, message.maxLength);
  return scratchView;
}

/** Reads element `index` of `field` (0 for a scalar). `char` reads one character code as a number. */
export function readElement(view: DataView, field: FieldDef, index: number): number | bigint {
  const at = field.offset + index * field.size;
  switch (field.type) {
    case 'uint8':
    case 'char':
      return view.getUint8(at);
    case 'int8':
      return view.getInt8(at);
    case 'uint16':
      return view.getUint16(at, true);
    case 'int16':
      return view.getInt16(at, true);
    case 'uint32':
      return view.getUint32(at, true);
    case 'int32':
      return view.getInt32(at, true);
    case 'float':
      return view.getFloat32(at, true);
    case 'double':
      return view.getFloat64(at, true);
    case 'uint64':
      return view.getBigUint64(at, true);
    case 'int64':
      return view.getBigInt64(at, true);
  }
}

/**
 * A `char` array as text: the bytes up to the first NUL (or the whole array when it is full, as
 * MAVLink allows), decoded as UTF-8 with invalid sequences replaced by U+FFFD.
 */
export function readString(view: DataView, field: FieldDef): string {
  const start = view.byteOffset + field.offset;
  const bytes = new Uint8Array(view.buffer, start, field.arrayLength);
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** One field's value, exactly as on the wire: floats are not rounded, 64-bit integers stay bigint. */
export function readField(view: DataView, field: FieldDef): FieldValue {
  if (field.arrayLength === 0) {
    const value = readElement(view, field, 0);
    return field.type === 'char' ? String.fromCharCode(value as number) : value;
  }
  if (field.type === 'char') return readString(view, field);
  const out: (number | bigint)[] = new Array(field.arrayLength);
  for (let i = 0; i < field.arrayLength; i++) out[i] = readElement(view, field, i);
  return out as number[] | bigint[];
}

/**
 * Every field of a payload by its XML name: the exact decode (enums as numbers, 64-bit integers
 * as bigint, floats as the double of the float32, `char` arrays as strings). A payload shorter
 * than the message reads as zero-extended; bytes past the known fields (a newer definition's
 * extensions) are ignored.
 */
export function decodePayload(message: MessageDef, payload: Uint8Array): Record<string, FieldValue> {
  const view = payloadView(message, payload);
  const out: Record<string, FieldValue> = {};
  for (const field of message.fields) out[field.name] = readField(view, field);
  return out;
}
