/**
 * Text a peer sent, as copied into a problem message or a log line: at most `max` characters
 * (the last three `...` when cut). Default 60.
 */
export function excerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * Text a peer sent, on one line of a listing: control characters (line breaks, escapes) and
 * Unicode line separators become a space, so the text cannot forge lines or move the cursor.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text in `bytes` nests arrays and objects deeper than `max`: check a peer's
 * JSON before parsing it, since a value nested 100,000 levels deep overflows the stack of
 * anything recursive that touches it later (`JSON.stringify` in an error message, a sink sizing
 * a point). One pass over the bytes, skipping strings; UTF-8 continuation bytes never equal an
 * ASCII bracket, so the bytes need not be decoded first. Malformed JSON is left to the parser.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
