import type { CleanupTracker, TestContext } from '@fieldbridge/core/testing';
import { startAedes } from './aedes.js';
import { connectPublisher, section, startSource, type Publisher } from './mqtt.js';

/** A bridge reading `spBv1.0/#` with rebirth: true, an edge node to publish as, and the Node Control commands it is sent. */
export interface RebirthRig {
  t: TestContext;
  /** Publishes as the edge node g1/n1. */
  node: Publisher;
  /** Topics of the commands the bridge sent to group g1 (`spBv1.0/g1/NCMD/n1` for a rebirth request). */
  commands: string[];
}

/** Starts aedes, the bridge (subscribed), a host listening to g1's NCMD topics and an edge node's publisher. */
export async function startRebirthRig(track: CleanupTracker): Promise<RebirthRig> {
  const broker = track.add(await startAedes(), (b) => b.close());
  const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug', rebirth: true }] }), {}, track);
  await subscribed();
  const host = track.add(await connectPublisher(broker.url), (p) => p.close());
  const commands: string[] = [];
  host.client.on('message', (topic) => commands.push(topic));
  await host.client.subscribeAsync('spBv1.0/g1/NCMD/#', { qos: 0 });
  const node = track.add(await connectPublisher(broker.url), (p) => p.close());
  return { t, node, commands };
}
