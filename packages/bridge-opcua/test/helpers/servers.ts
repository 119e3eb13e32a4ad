import { afterAll, beforeAll } from 'vitest';
import { connectOpcua, type OpcuaClientOptions } from '../../src/client.js';
import type { OpcuaConnection } from '../../src/connection.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaServerOptions, type OpcuaTestServer } from '../../src/server.js';
import type { Cleanup } from './cleanup.js';
import { capturingLogger } from './logger.js';

/** Starts a simulator server whose stop runs at cleanup. */
export async function serverFor(cleanup: Cleanup, options: Partial<OpcuaServerOptions> & { pkiDir: string }): Promise<OpcuaTestServer> {
  const server = await startOpcuaServer(options);
  cleanup.add(() => server.stop());
  return server;
}

/**
 * Starts a server again on the port a stopped one had (a restart, as clients see it). Between
 * the stop and this start another process on the machine may briefly hold that port (the test
 * suites run side by side and bind ports of their own): the start is retried while the port is
 * in use, for at most `withinMs`.
 */
export async function restartOn(port: number, options: Omit<OpcuaServerOptions, 'port'>, withinMs = 15_000): Promise<OpcuaTestServer> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await startOpcuaServer({ ...options, port });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Connects a client (trust tofu, a capturing logger unless given) whose close runs at cleanup. */
export async function clientFor(cleanup: Cleanup, endpointUrl: string, pkiDir: string, options: Partial<OpcuaClientOptions> = {}): Promise<OpcuaConnection> {
  const connection = await connectOpcua({ endpointUrl, pki: { dir: pkiDir, trust: 'tofu' }, logger: capturingLogger(), ...options });
  cleanup.add(() => connection.close());
  return connection;
}

/**
 * A simulator server and one client session for a whole test file: both started before its
 * tests (handed to `use`), both closed, with everything else `cleanup` holds, after them.
 */
export function sessionForFile(cleanup: Cleanup, use: (server: OpcuaTestServer, connection: OpcuaConnection) => void): void {
  beforeAll(async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('server') });
    use(server, await clientFor(cleanup, server.endpointUrl, cleanup.dir('client')));
  });
  afterAll(() => cleanup.run());
}

/** A simulator server for a whole test file: started before its tests (handed to `use`), stopped with everything else `cleanup` holds after them. */
export function serverForFile(cleanup: Cleanup, use: (server: OpcuaTestServer) => void): void {
  beforeAll(async () => use(await serverFor(cleanup, { pkiDir: cleanup.dir('server') })));
  afterAll(() => cleanup.run());
}

/** The node id of `id` in the simulator's namespace, by namespace URI. */
export const nsu = (id: string): string => `nsu=${SIM_NAMESPACE};s=${id}`;

/** Items the server monitors over all its sessions (node-opcua keeps the count in a private field). */
export function monitoredByServer(server: OpcuaTestServer): number {
  return (server.server.engine as unknown as { _globalCounter: { totalMonitoredItemCount: number } })._globalCounter.totalMonitoredItemCount;
}

/** Deletes the server's MaxMonitoredItemsPerSubscription node: a server before OPC UA 1.05, whose limit is learnt from its refusals. */
export function unsayItemsPerSubscription(server: OpcuaTestServer): void {
  const addressSpace = server.server.engine.addressSpace!;
  addressSpace.deleteNode(addressSpace.findNode('i=24104')!);
}
