import { hostname } from 'node:os';
import type { InMemoryCertificateKeyPairProvider } from 'node-opcua';
import { describeCertificate } from './certificate-info.js';
import { OpcuaBridgeError, messageOf } from './errors.js';
import type { OpcuaModule } from './load.js';
import type { OpcuaLogger } from './log-redirect.js';
import { DEFAULT_APPLICATION_NAME, type Pki } from './pki.js';
import type { TrustMode } from './trust.js';

/** Options of {@link openMemoryPki}. */
export interface MemoryPkiOptions {
  /** Kept for what the connection reports; security None checks no server certificate. */
  trust: TrustMode;
  /** The ApplicationUri the client sends and the certificate carries. Default `urn:<hostname>:fieldbridge:bridge-opcua`. */
  applicationUri?: string;
  /** Default `fieldbridge-bridge-opcua`. */
  applicationName?: string;
  logger: OpcuaLogger;
}

// One key per ApplicationUri and name for the life of the process: making one takes about a
// second, and a reconnecting client would otherwise make one per attempt. A process uses one or
// two; the bound only keeps a library caller that varies them from growing this for ever.
const MAX_KEPT = 8;
const kept = new Map<string, Promise<InMemoryCertificateKeyPairProvider>>();

/**
 * A client certificate made in memory, for a connection with security `None` and no `pki`
 * folder named: OPC UA sends a certificate in the session request even then, but nothing
 * checks it, so nothing is written (no folder in the working directory, which may be read-only)
 * and nothing is kept past the process. Self-signed, 2048-bit RSA, with the ApplicationUri the
 * client sends; one per ApplicationUri for the life of the process. The server's certificate is
 * not checked, as the security mode says. Rejects with `PKI_FAILED` when the key cannot be made.
 */
export async function openMemoryPki(opcua: OpcuaModule, options: MemoryPkiOptions): Promise<Pki> {
  const host = hostname();
  const applicationName = options.applicationName ?? DEFAULT_APPLICATION_NAME;
  const applicationUri = options.applicationUri ?? `urn:${host}:fieldbridge:bridge-opcua`;
  const key = JSON.stringify([applicationUri, applicationName]);
  let making = kept.get(key);
  if (!making) {
    making = (async () => {
      const provider = new opcua.InMemoryCertificateKeyPairProvider();
      await provider.ensureCertificateExists({ applicationUri, subject: opcua.makeSubject(applicationName, host), dns: [host] });
      return provider;
    })();
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(key, making);
    making.catch(() => kept.delete(key));
  }
  let provider: InMemoryCertificateKeyPairProvider;
  try {
    provider = await making;
  } catch (err) {
    throw new OpcuaBridgeError('PKI_FAILED', `cannot make the client certificate in memory: ${messageOf(err)}`, { cause: err, retryable: false });
  }
  const certificate = describeCertificate(provider.getCertificate());
  options.logger.debug({ thumbprint: certificate.thumbprint }, `security None: using a client certificate made in memory (thumbprint ${certificate.thumbprint}); no PKI folder is used`);
  // Nothing is checked on a None channel; should anything ask, an unknown certificate is refused.
  const store = new opcua.InMemoryCertificateStore({ autoAcceptUnknown: false });
  return {
    dir: undefined,
    trust: options.trust,
    clientOptions: { clientCertificateManager: store, certificateKeyPairProvider: provider },
    certificateFile: undefined,
    privateKeyFile: undefined,
    applicationUri,
    applicationName,
    certificate,
    takeRefusal: () => undefined,
    dispose: () => store.dispose(),
  };
}
