import { fileURLToPath } from 'node:url';
import { describeBridgeConformance } from '@fieldbridge/core/testing';
import { defineBleBridge } from '../src/bridge.js';
import { createDemoFleet, DEMO_BIND_KEY, DEMO_DEVICES } from '../src/sim/demo-fleet.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';

// The peer is the lowest layer only: a simulated adapter that noble itself drives through its
// with-bindings entry, with the demo fleet on the air. Everything above it (noble, the scanner,
// the GATT client, the source) runs for real. Each test's peer is the adapter the bridge opens.
let adapter: SimulatedBindings | undefined;
const definition = defineBleBridge({
  bindings: () => {
    if (!adapter) throw new Error('no simulated adapter was started');
    return adapter;
  },
});

describeBridgeConformance('bridge-ble against noble on a simulated adapter', {
  definition,
  async startPeer() {
    const sim = new SimulatedBindings({ devices: createDemoFleet() });
    adapter = sim;
    return {
      async stimulate() {
        sim.advertise();
        sim.notifyAll();
      },
      async close() {
        if (adapter === sim) adapter = undefined;
      },
    };
  },
  section: () => ({
    reconnect: { initial_ms: '20ms', max_ms: '200ms' },
    devices: [
      { name: 'living_room', address: DEMO_DEVICES.bthome, decoder: 'bthome', rssi: true },
      { name: 'window', address: DEMO_DEVICES.bthomeEncrypted, decoder: 'bthome', bind_key: DEMO_BIND_KEY },
      { name: 'fridge', address: DEMO_DEVICES.ruuvi, decoder: 'ruuvi' },
      { name: 'strap', address: DEMO_DEVICES.heartRate, decoder: 'gatt', characteristics: [{ uuid: '2a37', mode: 'notify' }] },
    ],
  }),
  secrets: [DEMO_BIND_KEY],
  lazy: { entry: '@fieldbridge/bridge-ble', modules: ['@abandonware/noble', '@abandonware/bluetooth-hci-socket'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
