import net, { type AddressInfo } from 'node:net';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createModbusSource, type ModbusSource } from '../src/source.js';
import { section } from './helpers/mapping.js';

const track = trackCleanups();

/**
 * A Modbus TCP device written from the specification's MBAP frames that answers every read of
 * holding registers with register N = N, but under transaction id `replyId(requestId)`.
 */
async function startPeer(replyId: (requestId: number) => number): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 12) {
        const frame = pending.subarray(0, 12);
        pending = pending.subarray(12);
        const address = frame.readUInt16BE(8);
        const count = frame.readUInt16BE(10);
        const answer = Buffer.alloc(9 + count * 2);
        answer.writeUInt16BE(replyId(frame.readUInt16BE(0)), 0);
        answer.writeUInt16BE(0, 2);
        answer.writeUInt16BE(3 + count * 2, 4);
        answer[6] = frame[6]!;
        answer[7] = 3;
        answer[8] = count * 2;
        for (let i = 0; i < count; i++) answer.writeUInt16BE(address + i, 9 + i * 2);
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track.defer(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Modbus TCP transaction ids', () => {
  it('reads a device that echoes them', async () => {
    const url = await startPeer((id) => id);
    const t = createTestContext();
    const config = section({ devices: [{ name: 'plc', connection: url, timeout_ms: 300, retries: 0, points: [{ metric: 'r5', table: 'holding', address: 5 }] }] });
    await track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop()).once();
    expect(t.valuesOf('r5')).toEqual([5]);
  });

  it('says a device that replies under another transaction id replied, rather than only that it timed out', async () => {
    const url = await startPeer((id) => (id + 1000) & 0xffff);
    const t = createTestContext();
    const config = section({ devices: [{ name: 'plc', connection: url, timeout_ms: 300, retries: 0, points: [{ metric: 'r5', table: 'holding', address: 5 }] }] });
    const error = await track.add(createModbusSource(config, t.ctx), (s: ModbusSource) => s.stop()).once().then(() => undefined, (err: unknown) => err as Error);
    expect(error?.message).toMatch(/device plc: holding 5: unit 1 holding 5\+1: no answer with the request's transaction id; a reply with transaction id \d+ came and was dropped$/);
    expect(t.valuesOf('r5')).toEqual([]);
    expect(t.problems.find((p) => p.key === 'modbus.plc.timeout')?.message).toMatch(
      /^device plc \(unit 1 on tcp:\/\/127\.0\.0\.1:\d+\) did not answer holding 5 within 300 ms \(1 try\); it replied, but with transaction id \d+, not the request's, so the reply was dropped: the device \(or its gateway\) does not echo the transaction id, as Modbus TCP requires; check its Modbus TCP settings and firmware$/,
    );
  });
});
