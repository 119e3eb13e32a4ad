import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBridgeConformance } from '@fieldbridge/core/testing';
import { afterAll } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { SIM_NAMESPACE, startOpcuaServer } from '../src/server.js';

// The package's own node-opcua server (the simulator's address space) is the peer, started per
// test on a port the OS picks; the suite puts the kit's fault proxy in front of it. The session
// is SignAndEncrypt with a user name and password, so `describe()` has a secret to keep. The
// server and client PKI folders are reused across the tests: certificates are made once.
const serverPki = mkdtempSync(join(tmpdir(), 'fb-opcua-conformance-server-'));
const clientPki = mkdtempSync(join(tmpdir(), 'fb-opcua-conformance-client-'));
const PASSWORD = 'conformance-secret-pw';
afterAll(() => {
  for (const dir of [serverPki, clientPki]) rmSync(dir, { recursive: true, force: true });
});

describeBridgeConformance('bridge-opcua against a node-opcua server', {
  definition: opcuaBridge,
  async startPeer() {
    const server = await startOpcuaServer({ pkiDir: serverPki, users: { operator: PASSWORD } });
    let counter = 0;
    return {
      tcp: { host: '127.0.0.1', port: server.port },
      async stimulate() {
        counter += 1;
        server.set('Boiler.Counter', counter);
      },
      close: () => server.stop(),
    };
  },
  section: (_peer, address) => ({
    endpoint: `opc.tcp://${address?.host ?? '127.0.0.1'}:${address?.port ?? 4840}`,
    security: { mode: 'SignAndEncrypt' },
    auth: { username: 'operator', password: PASSWORD },
    pki: clientPki,
    trust: 'tofu',
    publishing_interval_ms: '50ms',
    connect_timeout_ms: '3s',
    keep_alive_ms: '500ms',
    reconnect: { initial_ms: '50ms', max_ms: '500ms' },
    nodes: [
      { metric: 'boiler.counter', node_id: `nsu=${SIM_NAMESPACE};s=Boiler.Counter`, sampling_interval_ms: 0 },
      { metric: 'boiler.{name}', browse_path: 'Boiler/Pressure' },
    ],
  }),
  secrets: [PASSWORD],
  lazy: { entry: '@fieldbridge/bridge-opcua', modules: ['node-opcua', 'node-opcua-client', 'node-opcua-debug', 'node-opcua-crypto'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
