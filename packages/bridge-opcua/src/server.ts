import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OPCUAServer, UAVariable } from 'node-opcua';
import { buildSimAddressSpace, type SimNodes } from './sim-address-space.js';
import { describeCertificate } from './certificate-info.js';
import { loadOpcua, restoreOpensslConf } from './load.js';
import type { OpcuaLogger } from './log-redirect.js';
import { policyUri, type SecurityModeName, type SecurityPolicyName } from './security.js';

/** The namespace URI of the simulator's nodes. */
export const SIM_NAMESPACE = 'urn:fieldbridge:opcua-sim';

/** Options of {@link startOpcuaServer}. */
export interface OpcuaServerOptions {
  /** Server PKI folder; reuse it across starts (the first start generates a key, 1.5-4 s). */
  pkiDir: string;
  /** TCP port; 0 (default) lets the OS choose. */
  port?: number;
  /** Host name the server binds to and advertises. Default 127.0.0.1. */
  host?: string;
  /** Security modes offered. Default all three. */
  securityModes?: readonly SecurityModeName[];
  /** Policies offered with Sign and SignAndEncrypt. Default Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss. */
  securityPolicies?: readonly SecurityPolicyName[];
  /** Accepted user names and passwords. */
  users?: Readonly<Record<string, string>>;
  /** Allow anonymous sessions. Default true. */
  allowAnonymous?: boolean;
  /** Trust any client certificate (default true); false: only those in `<pkiDir>/trusted/certs`. */
  acceptUnknownClients?: boolean;
  /** Namespaces registered before the simulator's, moving its index (a server whose namespaces are in another order). */
  namespacesBefore?: readonly string[];
  /** Replace the server's certificate with a new one before starting (a server whose certificate changed). */
  newCertificate?: boolean;
  /** The server's ApplicationUri (and its certificate's). Default `urn:fieldbridge:opcua-sim:server`. */
  applicationUri?: string;
  /** Where node-opcua's messages go. Default nowhere. */
  logger?: OpcuaLogger;
  /**
   * Limits of the server's subscriptions, as a PLC's server may have them (node-opcua's defaults:
   * 100000 items per subscription, 10 subscriptions per session). The server says them in its
   * ServerCapabilities (MaxMonitoredItemsPerSubscription, MaxSubscriptionsPerSession) and refuses
   * past them (BadTooManyMonitoredItems, BadTooManySubscriptions).
   */
  capabilities?: { maxMonitoredItemsPerSubscription?: number; maxSubscriptionsPerSession?: number };
}

/** A running test or simulator server. */
export interface OpcuaTestServer {
  /** `opc.tcp://127.0.0.1:<port>`. */
  readonly endpointUrl: string;
  readonly port: number;
  /** The index of {@link SIM_NAMESPACE} on this server. */
  readonly namespaceIndex: number;
  /** SHA-1 thumbprint of the server's certificate. */
  readonly thumbprint: string;
  /** The server's certificate file (PEM). */
  readonly certificateFile: string;
  /** The node-opcua server, for what the helpers do not cover. */
  readonly server: OPCUAServer;
  /**
   * Sets variable `key` (its string identifier, e.g. `Boiler.Temperature` or `Types.Int64`) as
   * the device would: a value of the variable's type, optionally with a status name and the
   * device's own timestamp (the server timestamp is then the server's clock).
   */
  set(key: string, value: unknown, options?: { sourceTimestamp?: Date; status?: string }): void;
  /** Adds a Double variable `s=<key>` below Boiler (a node that appears after clients asked for it). */
  addVariable(key: string, value: number): void;
  /** Deletes variable `key` from the address space (a node gone in a PLC program download); `addVariable` makes it again. */
  removeVariable(key: string): void;
  /** Drives the alarm's input (Boiler.Temperature): above 80 raises it, below 80 clears it. */
  setAlarmInput(value: number): void;
  /**
   * Resolves once at least `count` event monitors listen on the Server object (or on node
   * `s=<key>` of the simulator's namespace). node-opcua's server starts listening one turn of
   * its event loop after it answered CreateMonitoredItems, so an event raised in between reaches
   * no client: tests wait for this before raising one. Rejects after 10 s.
   */
  eventsMonitored(count?: number, key?: string): Promise<void>;
  /** Stops the server. Idempotent. */
  stop(): Promise<void>;
}

const silent: OpcuaLogger = { debug() {}, info() {}, warn() {}, error() {} };
const MODES: Record<SecurityModeName, number> = { None: 1, Sign: 2, SignAndEncrypt: 3 };

/**
 * Starts a node-opcua server with the simulator's address space (a variable of every scalar
 * type, arrays, a boiler with an alarm, a line of motors), on a loopback port the OS chooses by
 * default. The options make it differ from the client where tests need it: security modes,
 * users, trusted clients, namespace order, a new certificate.
 */
export async function startOpcuaServer(options: OpcuaServerOptions): Promise<OpcuaTestServer> {
  const opcua = await loadOpcua(options.logger ?? silent);
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.pkiDir, { recursive: true });
  const certificateFile = join(options.pkiDir, 'own', 'certs', 'certificate.pem');
  if (options.newCertificate) rmSync(certificateFile, { force: true });
  const serverCm = new opcua.OPCUACertificateManager({ rootFolder: options.pkiDir, automaticallyAcceptUnknownCertificate: options.acceptUnknownClients ?? true, disableFileWatchers: true });
  const userCm = new opcua.OPCUACertificateManager({ rootFolder: join(options.pkiDir, 'users'), automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true });
  const users = options.users ?? {};
  const modes = options.securityModes ?? ['None', 'Sign', 'SignAndEncrypt'];
  const policies = options.securityPolicies ?? ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'];
  const server = new opcua.OPCUAServer({
    port: options.port ?? 0,
    // Listens there (`host`), not only advertises it (`hostname`): a simulator asked for loopback
    // accepts any client certificate and a known password, and must not be on every interface.
    host,
    hostname: host,
    serverCertificateManager: serverCm,
    userCertificateManager: userCm,
    certificateFile,
    securityModes: modes.map((m) => MODES[m]),
    securityPolicies: [...(modes.includes('None') ? ['None' as const] : []), ...policies].map((p) => policyUri(p)) as never,
    allowAnonymous: options.allowAnonymous ?? true,
    userManager: { isValidUser: (name: string, password: string) => Object.hasOwn(users, name) && users[name] === password },
    serverInfo: { applicationUri: options.applicationUri ?? `${SIM_NAMESPACE}:server`, applicationName: { text: 'fieldbridge OPC UA simulator' } },
    buildInfo: { productName: 'fieldbridge-opcua-sim', manufacturerName: 'fieldbridge' },
    ...(options.capabilities ? { serverCapabilities: { ...options.capabilities } } : {}),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  for (const uri of options.namespacesBefore ?? []) addressSpace.registerNamespace(uri);
  const ns = addressSpace.registerNamespace(SIM_NAMESPACE);
  const objects = addressSpace.rootFolder.objects;
  const nodes: SimNodes = buildSimAddressSpace(opcua, ns, objects, objects.server);
  await server.start();
  restoreOpensslConf();
  const port = server.endpoints[0]!.port;
  const thumbprint = describeCertificate(readFileSync(certificateFile, 'latin1')).thumbprint;
  let stopped = false;

  const variable = (key: string): UAVariable => {
    const found = nodes.variables.get(key);
    if (!found) throw new Error(`the simulator has no variable ${key} (it has ${[...nodes.variables.keys()].join(', ')})`);
    return found;
  };
  const set = (key: string, value: unknown, extra: { sourceTimestamp?: Date; status?: string } = {}): void => {
    const v = variable(key);
    const current = v.readValue().value;
    const status = extra.status === undefined ? opcua.StatusCodes.Good : (opcua.StatusCodes as unknown as Record<string, unknown>)[extra.status];
    if (status === undefined) throw new Error(`unknown status ${extra.status}`);
    const variant = { dataType: current.dataType, arrayType: current.arrayType, ...(current.dimensions ? { dimensions: current.dimensions } : {}), value };
    if (!extra.sourceTimestamp) {
      v.setValueFromSource(variant as never, status as never, new Date());
      return;
    }
    // setValueFromSource stamps both timestamps alike; a device's own clock differs from the
    // server's, so a given source timestamp goes in through a write that keeps both.
    const dataValue = new opcua.DataValue({ value: variant as never, statusCode: status as never, sourceTimestamp: extra.sourceTimestamp, serverTimestamp: new Date() });
    let outcome: unknown;
    v.writeValue(opcua.SessionContext.defaultContext, dataValue, (err: Error | null, code?: { isGood(): boolean; toString(): string }) => {
      outcome = err ?? (code && !code.isGood() ? new Error(`write refused: ${code.toString()}`) : null);
    });
    if (outcome) throw outcome;
  };

  return {
    endpointUrl: `opc.tcp://${host}:${port}`,
    port,
    namespaceIndex: ns.index,
    thumbprint,
    certificateFile,
    server,
    set,
    addVariable(key, value) {
      nodes.variables.set(
        key,
        ns.addVariable({ componentOf: nodes.boiler, browseName: key.split('.').pop()!, nodeId: `s=${key}`, dataType: 'Double', value: { dataType: opcua.DataType.Double, value } as never }),
      );
    },
    removeVariable(key) {
      addressSpace.deleteNode(variable(key));
      nodes.variables.delete(key);
    },
    setAlarmInput(value) {
      set('Boiler.Temperature', value);
    },
    async eventsMonitored(count = 1, key) {
      const node = key === undefined ? objects.server : addressSpace.findNode(`ns=${ns.index};s=${key}`);
      if (!node) throw new Error(`the simulator has no node s=${key}`);
      const deadline = Date.now() + 10_000;
      while (node.listenerCount('event') < count) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} event monitors on ${node.browseName.toString()} after 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.shutdown(0);
      await serverCm.dispose().catch(() => undefined);
      await userCm.dispose().catch(() => undefined);
    },
  };
}
