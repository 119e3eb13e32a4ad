// MQTT 5 lets a broker refuse an UNSUBSCRIBE filter by filter (UNSUBACK reason codes from 0x80 up),
// and mqtt.js calls back without an error either way. No broker installable here refuses one
// (mosquitto checks unsubscribes only in plugins), so the peer is a minimal MQTT 5 server over TCP
// answering CONNACK (session present), SUBACK (granted) and UNSUBACK (0x87, not authorized).
import net from 'node:net';
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { MqttSession } from '../src/_session.js';
import type { SessionHooks } from '../src/_session-types.js';

const track = trackCleanups();

/** The remaining-length bytes of an MQTT packet (variable byte integer). */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return out;
}
const packet = (type: number, body: number[]): Buffer => Buffer.from([type, ...varint(body.length), ...body]);

/** A server that speaks just enough MQTT 5; `unsubscribed` lists each UNSUBSCRIBE's filters. */
async function refusingBroker(): Promise<{ url: string; unsubscribed: string[][]; close(): Promise<void> }> {
  const unsubscribed: string[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        let length = 0;
        let i = 1;
        for (let shift = 0; i < buffered.length; i++, shift += 7) {
          length += (buffered[i]! & 0x7f) << shift;
          if ((buffered[i]! & 0x80) === 0) break;
        }
        if (i >= buffered.length || buffered.length < i + 1 + length) return;
        const type = buffered[0]! >> 4;
        const body = buffered.subarray(i + 1, i + 1 + length);
        buffered = buffered.subarray(i + 1 + length);
        const id = [body[0]!, body[1]!];
        /** The filters after the packet id and the (empty) properties; `options`: a byte after each. */
        const filters = (options: boolean): string[] => {
          const found: string[] = [];
          for (let at = 3; at < body.length; ) {
            const n = body.readUInt16BE(at);
            found.push(body.subarray(at + 2, at + 2 + n).toString());
            at += 2 + n + (options ? 1 : 0);
          }
          return found;
        };
        if (type === 1) socket.write(packet(0x20, [0x01, 0x00, 0x00]));
        else if (type === 8) socket.write(packet(0x90, [...id, 0x00, ...filters(true).map(() => 0x00)]));
        else if (type === 10) {
          const asked = filters(false);
          unsubscribed.push(asked);
          socket.write(packet(0xb0, [...id, 0x00, ...asked.map(() => 0x87)]));
        } else if (type === 12) socket.write(packet(0xd0, []));
        else if (type === 14) socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    unsubscribed,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an UNSUBSCRIBE the broker refuses (MQTT 5)', () => {
  it('is reported with its reason, and the filter is still held: the next connection asks again', async () => {
    const broker = track.add(await refusingBroker(), (b) => b.close());
    const held = new Set(['old/+', 'kept/+']);
    const told: { done: string[]; refused: { filter: string; reason: string }[] }[] = [];
    const hooks: SessionHooks = {
      onConnected: () => undefined,
      onUnsubscribed: (done, refused) => told.push({ done, refused }),
      onDown: () => undefined,
      onSubscription: () => undefined,
      beforeMessage: () => undefined,
      onMessage: () => undefined,
      onPacketTooLarge: () => undefined,
      onTakenOver: () => undefined,
    };
    const open = async () => {
      const session = new MqttSession({
        clientOptions: { url: broker.url, protocolVersion: 5, clean: false, clientId: 'fb-unsub', reconnectPeriod: 0 },
        subscriptions: [{ name: 'kept/+', topic: 'kept/+', qos: 1 }],
        heldFilters: held,
        reconnect: { initialMs: 20, maxMs: 100 },
        maxPacketBytes: 1024 * 1024,
        hooks,
      });
      await session.start();
      return session;
    };
    const first = await open();
    await until(() => told.length === 1, 'the UNSUBACK');
    await first.stop();
    expect(told[0]).toEqual({ done: [], refused: [{ filter: 'old/+', reason: 'not authorized' }] });
    expect([...held].sort()).toEqual(['kept/+', 'old/+']);

    const second = await open();
    await until(() => told.length === 2, 'the UNSUBACK of the next connection');
    await second.stop();
    expect(broker.unsubscribed).toEqual([['old/+'], ['old/+']]);
  });
});
