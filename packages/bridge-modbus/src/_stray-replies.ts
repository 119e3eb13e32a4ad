import type net from 'node:net';

/** Bytes of an MBAP header up to its length field: transaction id, protocol id, length. */
const MBAP_PREFIX = 6;

/**
 * Watches the Modbus TCP frames a socket receives (cut by their MBAP length), so a request that
 * timed out can tell silence from a reply modbus-serial dropped: a frame whose transaction id
 * matched no request waiting for one (a device or gateway that does not echo the id it was sent).
 */
export class StrayReplies {
  private pending: Buffer = Buffer.alloc(0);
  private lastAt = -Infinity;
  private lastId = 0;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= MBAP_PREFIX && this.pending.length >= MBAP_PREFIX + this.pending.readUInt16BE(4)) {
        this.lastAt = performance.now();
        this.lastId = this.pending.readUInt16BE(0);
        this.pending = this.pending.subarray(MBAP_PREFIX + this.pending.readUInt16BE(4));
      }
    });
  }

  /**
   * The transaction id of the last frame received after `sentAt` (performance.now() ms), if any:
   * asked once a request timed out, when no frame since was its answer.
   */
  since(sentAt: number): number | undefined {
    return this.lastAt >= sentAt ? this.lastId : undefined;
  }
}
