import { SerialPort } from 'serialport';

/** RTU devices that find frames by silence, as the serial line specification has receivers do. */
export interface StrictRtuPeer {
  /** Requests that began less than `gapMs` after the peer's last answer: garbled on a real bus, so not answered. */
  tooSoon: number;
  /** Requests answered. */
  answered: number;
  close(): Promise<void>;
}

/** CRC-16/MODBUS of `bytes` (initial 0xFFFF, reflected polynomial 0xA001), low byte first on the wire. */
function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(bytes: number[]): Buffer {
  const crc = crc16(Uint8Array.from(bytes));
  return Buffer.from([...bytes, crc & 0xff, crc >>> 8]);
}

/**
 * Units `units` on serial port `path`, answering reads of holding registers (function 3): register
 * N of unit U holds U * 1000 + N. A request whose first byte comes less than `gapMs` after the
 * last answer went out is heard as the tail of that answer, as by every unit on an RS-485 bus: it
 * is counted in `tooSoon` and dropped unanswered.
 */
export async function startStrictRtuPeer(path: string, units: number[], gapMs: number): Promise<StrictRtuPeer> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const peer = { tooSoon: 0, answered: 0 };
  let lastAnswerAt = -Infinity;
  let pending = Buffer.alloc(0);
  let garbled = false;
  port.on('data', (chunk: Buffer) => {
    if (pending.length === 0) garbled = performance.now() - lastAnswerAt < gapMs;
    pending = Buffer.concat([pending, chunk]);
    // Every request this peer takes is 8 bytes: unit, function, address, count, CRC.
    while (pending.length >= 8) {
      const frame = pending.subarray(0, 8);
      pending = pending.subarray(8);
      if (garbled) {
        peer.tooSoon += 1;
        continue;
      }
      const [unit, fn] = frame;
      if (!units.includes(unit!) || fn !== 3 || crc16(frame.subarray(0, 6)) !== frame.readUInt16LE(6)) continue;
      const address = frame.readUInt16BE(2);
      const count = frame.readUInt16BE(4);
      const data = Array.from({ length: count }, (_, i) => unit! * 1000 + address + i).flatMap((v) => [v >> 8, v & 0xff]);
      peer.answered += 1;
      // Taken before the write: the bridge cannot have heard the answer any earlier.
      lastAnswerAt = performance.now();
      port.write(withCrc([unit!, 3, count * 2, ...data]));
    }
  });
  return Object.assign(peer, {
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  });
}
