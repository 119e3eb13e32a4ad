import { fileURLToPath } from 'node:url';
import { describeBridgeConformance } from '@fieldbridge/core/testing';
import { modbusBridge } from '../src/bridge.js';
import { startModbusSimulator } from '../src/simulator.js';

// The package's own simulator (a modbus-serial ServerTCP with moving values) is the peer; the
// suite puts the kit's fault proxy in front of it to cut, refuse and freeze the connection.
describeBridgeConformance('bridge-modbus against its Modbus TCP simulator', {
  definition: modbusBridge,
  async startPeer() {
    const sim = await startModbusSimulator({ port: 0 });
    return { tcp: { host: '127.0.0.1', port: sim.port }, close: () => sim.close() };
  },
  section: (_peer, address) => ({
    devices: [
      {
        name: 'press1',
        connection: `tcp://${address?.host ?? '127.0.0.1'}:${address?.port ?? 502}`,
        poll_ms: '50ms',
        timeout_ms: '500ms',
        reconnect: { initial_ms: '20ms', max_ms: '200ms' },
        points: [
          { metric: '{device}.level', table: 'holding', address: 0, scale: 0.1 },
          { metric: '{device}.flow', table: 'holding', address: 2, type: 'float32' },
          { metric: '{device}.pump.on', table: 'coil', address: 0 },
        ],
      },
    ],
  }),
  lazy: { entry: '@fieldbridge/bridge-modbus', modules: ['modbus-serial', 'serialport', '@serialport'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
