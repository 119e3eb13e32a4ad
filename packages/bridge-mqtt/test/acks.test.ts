// PUBACKs leave in batches: the acknowledgements of the messages one read brought are written
// together once the event loop turns, not one system call (and one wake-up of the broker) each.
import type { Socket } from 'node:net';
import { trackCleanups } from '@fieldbridge/core/testing';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

const track = trackCleanups();
const N = 2000;

/** mqtt.js's connect, counting the writes its socket hands to the kernel (each `_write`/`_writev` is one). */
function countingConnect(): { connect: (url: string, options: IClientOptions) => MqttClient; flushes: () => number } {
  let flushes = 0;
  return {
    flushes: () => flushes,
    connect(url, options) {
      const client = connect(url, options);
      const open = client.connect.bind(client);
      client.connect = () => {
        const out = open();
        const socket = client.stream as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
        for (const method of ['_write', '_writev'] as const) {
          const original = socket[method].bind(socket);
          socket[method] = (...args: unknown[]) => {
            flushes += 1;
            original(...args);
          };
        }
        return out;
      };
      return client;
    },
  };
}

describe('PUBACKs', () => {
  it(`acknowledges ${N} queued QoS 1 messages in far fewer writes than messages, every one of them`, async () => {
    const broker = track.add(await startMosquitto({ queue: { maxInflightMessages: 1000 } }), (b) => b.close());
    const config = section({ url: broker.url, client_id: 'acks', clean: false, subscriptions: [{ topic: 'acks/+', format: 'number', metric: 'acks', qos: 1 }] });
    // A first session subscribes, then goes away so the broker queues what is published meanwhile.
    const first = await startSource(config, {}, undefined);
    await first.subscribed();
    await first.source.stop();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await Promise.all(Array.from({ length: N }, (_, i) => pub.publish(`acks/${i % 10}`, String(i), 1)));

    const counting = countingConnect();
    const second = await startSource(config, { connect: counting.connect }, undefined);
    await second.t.waitFor(() => second.t.points.length === N, `${N} points`);
    await second.source.stop();
    expect(counting.flushes()).toBeLessThan(N / 10);

    // Every message was acknowledged: the next session on the same id gets a new message first.
    const third = await startSource(config, {}, track);
    await third.subscribed();
    await pub.publish('acks/0', '-1', 1);
    await third.t.waitFor(() => third.t.points.length > 0, 'the new message');
    expect(third.t.points.map((p) => p.value)).toEqual([-1]);
  });
});
