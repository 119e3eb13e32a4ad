import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startMqttSimulator } from '../src/simulator.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher } from './helpers/mqtt.js';
import { startAedes } from './helpers/aedes.js';

const track = trackCleanups();
const NDEATH = 'spBv1.0/plant-a/NDEATH/edge1';

describe('bridge-mqtt-sim: stopping', () => {
  it('says goodbye with an NDEATH the broker acknowledges, then disconnects', async () => {
    const broker = await startMosquitto();
    track.add(broker, (b) => b.close());
    const watcher = await connectPublisher(broker.url);
    track.add(watcher, (w) => w.close());
    const deaths: string[] = [];
    watcher.client.on('message', (topic) => deaths.push(topic));
    await watcher.client.subscribeAsync(NDEATH, { qos: 1 });

    const sim = await startMqttSimulator({ url: broker.url, intervalMs: 3_600_000 });
    await sim.tick();
    const before = sim.published();
    await sim.close();
    expect(sim.published()).toBe(before + 1);
    await until(() => deaths.length === 1, 'the NDEATH at a subscriber', 5000);
  });

  it('stops although the broker went away first (the demo stops them side by side)', async () => {
    const broker = await startMosquitto();
    track.add(broker, (b) => b.close());
    const sim = await startMqttSimulator({ url: broker.url, intervalMs: 3_600_000 });
    await sim.tick();
    await broker.stop();
    // A round started while the broker is gone waits in mqtt.js's offline queue.
    const round = sim.tick();
    round.catch(() => undefined);
    await sim.close();
    expect(sim.published()).toBeGreaterThan(0);
  });

  it('stops although a connected broker never acknowledges the NDEATH', async () => {
    const broker = await startAedes({
      authorizePublish(_client, packet, callback) {
        // Hold the goodbye for ever, as a broker that has stopped answering does.
        if (packet.topic !== NDEATH) callback(null);
      },
    });
    track.add(broker, (b) => b.close());
    const sim = await startMqttSimulator({ url: broker.url, intervalMs: 3_600_000 });
    await sim.tick();
    const before = sim.published();
    await sim.close();
    expect(sim.published()).toBe(before);
  });
});
