import { fileURLToPath } from 'node:url';
import { describeBridgeConformance } from '@fieldbridge/core/testing';
import { mavlinkBridge } from '../src/bridge.js';
import { startMavlinkSimulator } from '../src/simulator.js';

const PASSPHRASE = 'conformance fleet secret';

// The package's simulator streaming over TCP (as ArduPilot SITL does on port 5760) is the peer;
// the suite puts the kit's fault proxy in front of it to cut, refuse and freeze the connection.
// The section carries a signing passphrase (unsigned frames allowed), so that `describe()` is
// checked for printing no secret.
describeBridgeConformance('bridge-mavlink against its TCP simulator', {
  definition: mavlinkBridge,
  async startPeer() {
    const sim = await startMavlinkSimulator({ transport: 'tcp', port: 0, rateHz: 20 });
    const port = Number(new URL(sim.target.replace(/^tcp:/, 'http:')).port);
    return { tcp: { host: '127.0.0.1', port }, close: () => sim.close() };
  },
  section: (_peer, address) => ({
    connection: `tcp://${address?.host ?? '127.0.0.1'}:${address?.port ?? 5760}`,
    link_timeout_s: 2,
    reconnect: { initial_ms: '20ms', max_ms: '200ms' },
    signing: { passphrase: PASSPHRASE, allow_unsigned: true },
    messages: { HEARTBEAT: 'default', ATTITUDE: ['roll', 'pitch', { field: 'yaw', to: 'deg' }], GLOBAL_POSITION_INT: { fields: 'default', max_rate_hz: 2 } },
  }),
  secrets: [PASSPHRASE],
  lazy: { entry: '@fieldbridge/bridge-mavlink', modules: ['node-mavlink', 'mavlink-mappings', 'serialport', '@serialport'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
