import { fileURLToPath } from 'node:url';
import { describeBridgeConformance } from '@fieldbridge/core/testing';
import { mqttBridge } from '../src/bridge.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher } from './helpers/mqtt.js';

const PASSWORD = 'conformance-s3cret';

describeBridgeConformance('bridge-mqtt on mosquitto', {
  definition: mqttBridge,
  async startPeer() {
    const broker = await startMosquitto();
    const publisher = await connectPublisher(broker.url);
    let n = 0;
    return {
      tcp: { host: '127.0.0.1', port: broker.port },
      // Retained, so a subscription made after the publish still receives it.
      stimulate: () => publisher.client.publishAsync('conformance/line1/temp', JSON.stringify({ t: 20 + (n++ % 10) }), { qos: 1, retain: true }).then(() => undefined),
      async close() {
        await publisher.close();
        await broker.close();
      },
    };
  },
  section: (_peer, address) => ({
    url: `mqtt://${address?.host}:${address?.port}`,
    username: 'bridge',
    password: PASSWORD,
    reconnect: { initial_ms: '50ms', max_ms: '500ms' },
    subscriptions: [{ name: 'temperatures', topic: 'conformance/+/temp', metric: '{topic.1}.temperature', value: '$.t' }],
  }),
  secrets: [PASSWORD],
  lazy: { entry: new URL('../dist/index.js', import.meta.url).href, modules: ['mqtt', 'protobufjs', 'sparkplug-payload'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
