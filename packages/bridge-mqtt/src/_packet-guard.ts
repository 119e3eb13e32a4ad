/**
 * Follows the MQTT fixed headers in the bytes a broker sends (type byte, then the remaining
 * length as a variable-length integer of 1-4 bytes) and returns, for each chunk, the total
 * size of the first packet larger than `maxBytes`, as soon as its header arrives: before its
 * body is buffered, so a 256 MB packet costs one chunk, not 256 MB. Returns `Infinity` for a
 * length that is not a valid MQTT integer, undefined while every packet fits. Skipping a body
 * costs nothing per byte.
 */
export function createPacketSizeGuard(maxBytes: number): (chunk: Uint8Array) => number | undefined {
  /** Body bytes of the current packet still to pass; -1 while reading a header. */
  let body = -1;
  /** Within a header: bytes of the remaining length read so far (0: the type byte is next). */
  let lengthBytes = -1;
  let length = 0;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (body > 0) {
        const skip = Math.min(body, chunk.length - i);
        body -= skip;
        i += skip;
        continue;
      }
      if (lengthBytes < 0) {
        // The type byte.
        lengthBytes = 0;
        length = 0;
        i += 1;
        continue;
      }
      const b = chunk[i++]!;
      length += (b & 0x7f) * 128 ** lengthBytes;
      lengthBytes += 1;
      if (b & 0x80) {
        if (lengthBytes === 4) return Infinity;
        continue;
      }
      const size = 1 + lengthBytes + length;
      if (size > maxBytes) return size;
      body = length;
      lengthBytes = -1;
    }
    return undefined;
  };
}
