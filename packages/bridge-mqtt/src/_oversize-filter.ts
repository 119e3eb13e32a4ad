/**
 * What the broker sends, with every PUBLISH over `max_packet_size` taken out before mqtt.js reads
 * it. mqtt.js would buffer such a packet whole; and a broker keeps redelivering an unacknowledged
 * QoS 1/2 message to a persistent session at every reconnect, so dropping the connection instead
 * would loop for ever. The packet is followed from its header on: its topic (the first
 * {@link MAX_KEPT_TOPIC_BYTES}) and packet identifier are read, the rest is skipped without being
 * held, and a small stand-in takes its place in the stream: the same flags, topic and identifier,
 * and as payload a marker only this session knows with the original size. mqtt.js acknowledges
 * the stand-in in its turn (PUBACK, or PUBREC/PUBREL/PUBCOMP), in order with the other messages,
 * and the session recognises it by its marker ({@link oversizedSize}) and never decodes it.
 */

/** Bytes of an oversized message's topic kept for its stand-in (and so for the log). */
export const MAX_KEPT_TOPIC_BYTES = 1024;

const PUBLISH = 3;
/** The marker, then the original packet's size as a float64. */
const SIZE_BYTES = 8;

/** An oversized PUBLISH, as far as it is read. */
export interface OversizedPublish {
  /** The fixed header's first byte: type, DUP, QoS and RETAIN. */
  first: number;
  /** The topic, its first {@link MAX_KEPT_TOPIC_BYTES} bytes. */
  topic: Uint8Array;
  /** QoS 1 and 2: the packet identifier to acknowledge. */
  messageId: number | undefined;
  /** The whole packet's size in bytes. */
  size: number;
}

/** What the filter makes of one chunk: the bytes for mqtt.js, or the size of a packet it cannot pass. */
export type FilterStep = { ok: true; out: Uint8Array[] } | { ok: false; size: number };

/** Options of {@link createOversizeFilter}. */
export interface OversizeFilterOptions {
  /** Largest packet passed on, in bytes. */
  maxBytes: number;
  /** 4 (MQTT 3.1.1) or 5, for the stand-in's layout. */
  protocolVersion: number;
  /** The marker stand-ins carry (16 random bytes, one per session). */
  marker: Uint8Array;
}

/** The stand-in for an oversized PUBLISH: a PUBLISH mqtt.js reads and acknowledges like the original. */
export function standInFor(publish: OversizedPublish, options: OversizeFilterOptions): Uint8Array {
  const qos = (publish.first >> 1) & 3;
  const body: number[] = [publish.topic.length >> 8, publish.topic.length & 0xff, ...publish.topic];
  if (qos > 0) body.push(publish.messageId! >> 8, publish.messageId! & 0xff);
  if (options.protocolVersion === 5) body.push(0); // no properties
  const size = new Uint8Array(SIZE_BYTES);
  new DataView(size.buffer).setFloat64(0, publish.size);
  body.push(...options.marker, ...size);
  const length: number[] = [];
  for (let n = body.length; ; n >>= 7) {
    length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    if (n < 0x80) break;
  }
  return Uint8Array.from([publish.first, ...length, ...body]);
}

/** The original size when `payload` is a stand-in carrying `marker`, else undefined. */
export function oversizedSize(payload: Uint8Array, marker: Uint8Array): number | undefined {
  if (payload.length !== marker.length + SIZE_BYTES) return undefined;
  for (let i = 0; i < marker.length; i++) if (payload[i] !== marker[i]) return undefined;
  return new DataView(payload.buffer, payload.byteOffset + marker.length, SIZE_BYTES).getFloat64(0);
}

/** An oversized PUBLISH being read. */
interface Reading {
  publish: OversizedPublish;
  /** Its body bytes still to come. */
  left: number;
  /** -1 until both of its bytes are read. */
  topicLength: number;
  /** Topic bytes read (or, before the topic length is known, 0x100 | its first byte). */
  got: number;
  idBytes: number;
  /** Its stand-in went out. */
  replaced: boolean;
}

/**
 * Follows the packets of a byte stream (a type byte, the remaining length as a variable-length
 * integer of 1-4 bytes, the body) and passes them on unchanged, except that a PUBLISH larger than
 * `maxBytes` is replaced by its stand-in ({@link standInFor}) as soon as its topic and identifier
 * are read, its body skipped at no cost per byte. Any other packet over the limit, a length that
 * is not a valid MQTT integer (size `Infinity`) or a PUBLISH whose parts do not fit its length
 * stops the filter: the connection must go. Takes the stream's chunks in order.
 */
export function createOversizeFilter(options: OversizeFilterOptions): (chunk: Uint8Array) => FilterStep {
  /** Body bytes of a packet being passed on. */
  let body = 0;
  /** The header read so far (type byte, length bytes), and how many of them came in earlier chunks. */
  const header: number[] = [];
  let earlier = 0;
  let reading: Reading | undefined;

  return (chunk) => {
    const out: Uint8Array[] = [];
    /** Start of this chunk's bytes passed on but not yet in `out`. */
    let from = 0;
    let i = 0;
    while (i < chunk.length) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - i);
        body -= n;
        i += n;
        continue;
      }
      if (reading) {
        i = readOversized(reading, chunk, i);
        if (i < 0) return { ok: false, size: reading.publish.size };
        if (!reading.replaced && readUpToPayload(reading)) {
          out.push(standInFor(reading.publish, options));
          reading.replaced = true;
        }
        if (reading.left === 0) reading = undefined;
        from = i;
        continue;
      }
      const b = chunk[i++]!;
      header.push(b);
      if (header.length === 1) continue;
      if (b & 0x80) {
        if (header.length === 5) return { ok: false, size: Infinity };
        continue;
      }
      let length = 0;
      for (let k = header.length - 1; k >= 1; k--) length = length * 128 + (header[k]! & 0x7f);
      const size = header.length + length;
      const first = header[0]!;
      if (size <= options.maxBytes) {
        // Header bytes held from earlier chunks go first: this chunk began inside the header.
        if (earlier > 0) out.push(Uint8Array.from(header.slice(0, earlier)));
        body = length;
      } else {
        if (first >> 4 !== PUBLISH || ((first >> 1) & 3) === 3) return { ok: false, size };
        const start = i - (header.length - earlier);
        if (start > from) out.push(chunk.subarray(from, start));
        from = i;
        reading = { publish: { first, topic: new Uint8Array(0), messageId: undefined, size }, left: length, topicLength: -1, got: 0, idBytes: 0, replaced: false };
      }
      header.length = 0;
      earlier = 0;
    }
    if (reading === undefined) {
      // A header cut by the chunk's end is held for the next chunk, whatever it decides.
      const end = chunk.length - (header.length - earlier);
      if (end > from) out.push(chunk.subarray(from, end));
      earlier = header.length;
    }
    return { ok: true, out };
  };
}

/** True once the topic and (QoS 1/2) identifier of an oversized PUBLISH are read. */
function readUpToPayload(r: Reading): boolean {
  const qos = (r.publish.first >> 1) & 3;
  return r.topicLength >= 0 && r.got >= r.topicLength && (qos === 0 || r.idBytes === 2);
}

/**
 * Reads an oversized PUBLISH's bytes from `at`: the topic length, the topic (its first bytes
 * kept), the identifier, then skips the rest. Returns where it stopped, or -1 when the topic and
 * identifier do not fit the packet.
 */
function readOversized(r: Reading, chunk: Uint8Array, at: number): number {
  const { publish } = r;
  const idLength = (publish.first >> 1) & 3 ? 2 : 0;
  let i = at;
  while (i < chunk.length && r.left > 0) {
    if (r.topicLength < 0) {
      r.left -= 1;
      const b = chunk[i++]!;
      if (r.got === 0) {
        r.got = 0x100 | b;
        continue;
      }
      r.topicLength = ((r.got & 0xff) << 8) | b;
      r.got = 0;
      if (r.topicLength + idLength > r.left) return -1;
      publish.topic = new Uint8Array(Math.min(r.topicLength, MAX_KEPT_TOPIC_BYTES));
    } else if (r.got < r.topicLength) {
      const n = Math.min(r.topicLength - r.got, chunk.length - i);
      const keep = Math.min(n, publish.topic.length - r.got);
      if (keep > 0) publish.topic.set(chunk.subarray(i, i + keep), r.got);
      r.got += n;
      r.left -= n;
      i += n;
    } else if (r.idBytes < idLength) {
      publish.messageId = ((publish.messageId ?? 0) << 8) | chunk[i++]!;
      r.idBytes += 1;
      r.left -= 1;
    } else {
      const n = Math.min(r.left, chunk.length - i);
      r.left -= n;
      i += n;
    }
  }
  return i;
}
