import { deflateSync } from 'node:zlib';

/**
 * BLF bytes laid out by hand from the format's structures, for object types and header
 * variants python-can does not write (CAN_MESSAGE2, CAN_FD_MESSAGE_64, version 2 object headers,
 * 10 µs time units, stored containers) and for damage.
 */

/** The 144-byte file header with its start time (SYSTEMTIME: year, month, weekday, day, h, m, s, ms). */
export function blfHeader(start: [number, number, number, number, number, number, number] | undefined): Buffer {
  const header = Buffer.alloc(144);
  header.write('LOGG', 0, 'latin1');
  header.writeUInt32LE(144, 4);
  if (start) {
    const [year, month, day, hour, minute, second, ms] = start;
    [year, month, 0, day, hour, minute, second, ms].forEach((v, i) => header.writeUInt16LE(v, 40 + 2 * i));
  }
  return header;
}

/** An object: base header (LOBJ, header size, version, object size, type), then the version's header with the time, then the body. */
export function blfObject(type: number, body: Buffer, time: { units: '10us' | 'ns'; value: bigint; version?: 1 | 2 }): Buffer {
  const version = time.version ?? 1;
  const headerSize = version === 1 ? 32 : 40;
  const object = Buffer.alloc(headerSize + body.length);
  object.write('LOBJ', 0, 'latin1');
  object.writeUInt16LE(headerSize, 4);
  object.writeUInt16LE(version, 6);
  object.writeUInt32LE(object.length, 8);
  object.writeUInt32LE(type, 12);
  object.writeUInt32LE(time.units === '10us' ? 1 : 2, 16);
  object.writeBigUInt64LE(time.value, 24);
  body.copy(object, headerSize);
  return object;
}

/** Pads an object to four bytes, as writers do. */
export function padded(object: Buffer): Buffer {
  return object.length % 4 === 0 ? object : Buffer.concat([object, Buffer.alloc(4 - (object.length % 4))]);
}

/** A LOG_CONTAINER (type 10) of `objects`, stored (method 0) or zlib-deflated (method 2). */
export function blfContainer(objects: Buffer, method: 0 | 2): Buffer {
  const data = method === 2 ? deflateSync(objects) : objects;
  const info = Buffer.alloc(16);
  info.writeUInt16LE(method, 0);
  info.writeUInt32LE(objects.length, 8);
  const container = Buffer.alloc(16 + 16 + data.length);
  container.write('LOBJ', 0, 'latin1');
  container.writeUInt16LE(16, 4);
  container.writeUInt16LE(1, 6);
  container.writeUInt32LE(container.length, 8);
  container.writeUInt32LE(10, 12);
  info.copy(container, 16);
  data.copy(container, 32);
  return padded(container);
}

/** CAN_MESSAGE (1) or CAN_MESSAGE2 (86) body: channel u16, flags u8 (0x80 remote, 0x01 Tx), dlc u8, id u32 (bit 31 extended), 8 data bytes (CAN_MESSAGE2 adds frame length, bit count and spares). */
export function canMessage(channel: number, id: number, extended: boolean, data: number[], options: { remote?: boolean; message2?: boolean } = {}): Buffer {
  const body = Buffer.alloc(options.message2 ? 24 : 16);
  body.writeUInt16LE(channel, 0);
  body.writeUInt8(options.remote ? 0x80 : 0, 2);
  body.writeUInt8(data.length, 3);
  body.writeUInt32LE((id | (extended ? 0x80000000 : 0)) >>> 0, 4);
  Buffer.from(data).copy(body, 8);
  return body;
}

/** CAN_FD_MESSAGE_64 (101) body: channel u8, dlc u8, valid bytes u8, tx count u8, id u32, frame length u32, flags u32 (EDL 0x1000, BRS 0x2000, ESI 0x4000), 6 more u32 and u16/u8 fields to 40 bytes, then the data. */
export function canFd64(channel: number, id: number, extended: boolean, dlc: number, data: number[], flags: { brs?: boolean; esi?: boolean }): Buffer {
  const body = Buffer.alloc(40 + data.length);
  body.writeUInt8(channel, 0);
  body.writeUInt8(dlc, 1);
  body.writeUInt8(data.length, 2);
  body.writeUInt32LE((id | (extended ? 0x80000000 : 0)) >>> 0, 4);
  body.writeUInt32LE(0x1000 | (flags.brs ? 0x2000 : 0) | (flags.esi ? 0x4000 : 0), 12);
  Buffer.from(data).copy(body, 40);
  return body;
}
