/**
 * Follows the MQTT fixed headers in a byte stream (a type byte, then the remaining length as a
 * variable-length integer of 1-4 bytes) and calls `onPacket(type, size)` as each header
 * completes, `size` counting the whole packet. Skipping a body costs nothing per byte. The
 * returned function takes the stream's chunks in order; it returns the size of the packet for
 * which `onPacket` returned true, `Infinity` for a length that is not a valid MQTT integer, or
 * undefined to go on.
 */
export function createPacketScanner(onPacket: (type: number, size: number) => boolean | void): (chunk: Uint8Array) => number | undefined {
  /** Body bytes of the current packet still to pass. */
  let body = 0;
  /** The type byte of the header being read; -1 when the next byte starts a packet. */
  let type = -1;
  let lengthBytes = 0;
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
      const b = chunk[i++]!;
      if (type < 0) {
        type = b >> 4;
        lengthBytes = 0;
        length = 0;
        continue;
      }
      length += (b & 0x7f) * 128 ** lengthBytes;
      lengthBytes += 1;
      if (b & 0x80) {
        if (lengthBytes === 4) return Infinity;
        continue;
      }
      const size = 1 + lengthBytes + length;
      if (onPacket(type, size) === true) return size;
      body = length;
      type = -1;
    }
    return undefined;
  };
}
