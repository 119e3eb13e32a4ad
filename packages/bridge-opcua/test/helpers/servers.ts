import { connectOpcua, type OpcuaClientOptions } from '../../src/client.js';
import type { OpcuaConnection } from '../../src/connection.js';
import { startOpcuaServer, type OpcuaServerOptions, type OpcuaTestServer } from '../../src/server.js';
import type { Cleanup } from './cleanup.js';
import { capturingLogger } from './logger.js';

/** Starts a simulator server whose stop runs at cleanup. */
export async function serverFor(cleanup: Cleanup, options: Partial<OpcuaServerOptions> & { pkiDir: string }): Promise<OpcuaTestServer> {
  const server = await startOpcuaServer(options);
  cleanup.add(() => server.stop());
  return server;
}

/** Connects a client (trust tofu, a capturing logger unless given) whose close runs at cleanup. */
export async function clientFor(cleanup: Cleanup, endpointUrl: string, pkiDir: string, options: Partial<OpcuaClientOptions> = {}): Promise<OpcuaConnection> {
  const connection = await connectOpcua({ endpointUrl, pki: { dir: pkiDir, trust: 'tofu' }, logger: capturingLogger(), ...options });
  cleanup.add(() => connection.close());
  return connection;
}
