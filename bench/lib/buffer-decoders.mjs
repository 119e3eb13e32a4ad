// Hand-written decoders to compare decodePoint with, in the style of Node-RED function nodes.

/**
 * What a hand-written Node-RED function node does with each point's read: a Buffer built from
 * the point's registers (`data` from `offset`) in the order its byte order needs, then one
 * readXxxBE. `p` is a resolved point (`type`, `width`, `byteOrder`, `bit`, `scale`, `offset`).
 */
export function naiveDecode(p, data, offset) {
  const words = Array.prototype.slice.call(data, offset, offset + p.width);
  if (p.type === 'string') {
    const swap = p.byteOrder === 'BADC' || p.byteOrder === 'DCBA';
    const buf = Buffer.from(words.flatMap((w) => (swap ? [w & 0xff, w >>> 8] : [w >>> 8, w & 0xff])));
    const nul = buf.indexOf(0);
    return buf.toString('latin1', 0, nul === -1 ? buf.length : nul).replace(/ +$/, '');
  }
  if (p.byteOrder === 'CDAB' || p.byteOrder === 'DCBA') words.reverse();
  const swap = p.byteOrder === 'BADC' || p.byteOrder === 'DCBA';
  const buf = Buffer.from(words.flatMap((w) => (swap ? [w & 0xff, w >>> 8] : [w >>> 8, w & 0xff])));
  return finish(p, buf, 0);
}

/** An answer's registers as big-endian bytes, the Buffer a careful decoder reads from. */
export function bufferOfAnswer(data) {
  const buf = Buffer.allocUnsafe(data.length * 2);
  for (let i = 0; i < data.length; i++) buf.writeUInt16BE(data[i], i * 2);
  return buf;
}

/**
 * The careful hand-written version: reads from one Buffer per answer in place, copying only the
 * values whose byte order needs swapping. `offset` is in registers.
 */
export function inPlaceDecode(p, buf, offset) {
  const at = offset * 2;
  const bytes = p.width * 2;
  if (p.type === 'string') {
    let text = p.byteOrder === 'BADC' || p.byteOrder === 'DCBA' ? Buffer.from(buf.subarray(at, at + bytes)).swap16().toString('latin1') : buf.toString('latin1', at, at + bytes);
    const nul = text.indexOf('\0');
    if (nul !== -1) text = text.slice(0, nul);
    return text.replace(/ +$/, '');
  }
  if (p.byteOrder === 'ABCD' || (p.width === 1 && p.byteOrder === 'CDAB')) return finish(p, buf, at);
  const copy = Buffer.from(buf.subarray(at, at + bytes));
  if (p.byteOrder === 'DCBA') copy.reverse();
  else if (p.byteOrder === 'BADC') copy.swap16();
  else if (p.width === 2) copy.swap32().swap16();
  else copy.swap64().swap16();
  return finish(p, copy, 0);
}

function finish(p, buf, at) {
  const scaled = (raw) => (p.scale === 1 && p.offset === 0 ? raw : raw * p.scale + p.offset);
  switch (p.type) {
    case 'int16': return scaled(buf.readInt16BE(at));
    case 'uint16': return scaled(buf.readUInt16BE(at));
    case 'bit': return ((buf.readUInt16BE(at) >>> p.bit) & 1) === 1;
    case 'int32': return scaled(buf.readInt32BE(at));
    case 'uint32': return scaled(buf.readUInt32BE(at));
    case 'float32': return scaled(buf.readFloatBE(at));
    case 'float64': return scaled(buf.readDoubleBE(at));
    case 'int64': return scaled(Number(buf.readBigInt64BE(at)));
    case 'uint64': return scaled(Number(buf.readBigUInt64BE(at)));
  }
  throw new TypeError(`unexpected type ${p.type}`);
}
