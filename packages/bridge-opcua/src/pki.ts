import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { OPCUAClientOptions } from 'node-opcua';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { installTrustHook, type CertificateManagerLike } from './_trust-hook.js';
import { certificateLabel, describeCertificate, type CertificateInfo } from './certificate-info.js';
import { OpcuaBridgeError, messageOf } from './errors.js';
import { restoreOpensslConf, type OpcuaModule } from './load.js';
import type { OpcuaLogger } from './log-redirect.js';
import { createRunWarnings, type RunWarnings } from './run-warnings.js';
import type { TrustMode } from './trust.js';

/** Options of {@link openPki}. */
export interface PkiOptions {
  /** The PKI folder (`own/`, `trusted/`, `rejected/`, `issuers/`); created when missing. Never node-opcua's default under ~/.config. */
  dir: string;
  trust: TrustMode;
  /**
   * The ApplicationUri this client sends and its certificate carries. Default: the URI of the
   * certificate already in `dir`, or `urn:<hostname>:fieldbridge:bridge-opcua` for a new one.
   */
  applicationUri?: string;
  /** The application name servers show. Default `fieldbridge-bridge-opcua`. */
  applicationName?: string;
  logger: OpcuaLogger;
  /** The warnings of the caller's run (`trust: always` is insecure): once per run. Default: a new one, so each open warns. */
  warnings?: RunWarnings;
}

/**
 * The client's certificate and the server trust policy: a PKI folder ({@link openPki}), or a
 * certificate made in memory for a connection that needs none kept (`openMemoryPki`).
 */
export interface Pki {
  /** The PKI folder; undefined for a certificate in memory. */
  readonly dir: string | undefined;
  readonly trust: TrustMode;
  /** What `OPCUAClient.create` is given for the client's certificate and the server trust check. */
  readonly clientOptions: PkiClientOptions;
  /** `<dir>/own/certs/client_certificate.pem`; undefined in memory. */
  readonly certificateFile: string | undefined;
  /** `<dir>/own/private/private_key.pem`; undefined in memory. */
  readonly privateKeyFile: string | undefined;
  readonly applicationUri: string;
  readonly applicationName: string;
  /** The client certificate. */
  readonly certificate: CertificateInfo;
  /** Why the latest server certificate check refused, explained; cleared by reading it. */
  takeRefusal(): OpcuaBridgeError | undefined;
  /** Releases the certificate manager. Idempotent. */
  dispose(): Promise<void>;
}

/** The certificate options of `OPCUAClient.create`: files and their folder's manager, or a provider in memory. */
export type PkiClientOptions = Pick<OPCUAClientOptions, 'clientCertificateManager' | 'certificateFile' | 'privateKeyFile' | 'certificateKeyPairProvider'>;

/** A PKI folder opened by {@link openPki}. */
export interface FolderPki extends Pki {
  readonly dir: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  /** node-opcua's certificate manager for this folder, with the trust policy installed. */
  readonly certificateManager: InstanceType<OpcuaModule['OPCUACertificateManager']>;
}

/** The default application name. */
export const DEFAULT_APPLICATION_NAME = 'fieldbridge-bridge-opcua';

/**
 * Opens the PKI folder `options.dir`: creates the client's key and a self-signed certificate
 * (10 years, ApplicationUri in its subjectAltName, matching the application description the
 * client sends) on first use, and reuses them afterwards, so a server trusts the client once.
 * A certificate made for another ApplicationUri, or a key that does not belong to it, is refused
 * with `CLIENT_CERTIFICATE_MISMATCH` saying what to do. Other failures reject with `PKI_FAILED`.
 */
export async function openPki(opcua: OpcuaModule, options: PkiOptions): Promise<FolderPki> {
  const { dir, logger } = options;
  const applicationName = options.applicationName ?? DEFAULT_APPLICATION_NAME;
  try {
    // Owner-only, and so is every folder made on the way (the spool's, when it is not there yet):
    // the sink would otherwise find its own folder readable by others and warn about it.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new OpcuaBridgeError('PKI_FAILED', `cannot create the PKI folder ${dir}: ${messageOf(err)}`, { cause: err, retryable: false });
  }
  // No file watchers: the trust hook re-reads the folders at each check instead.
  const cm = new opcua.OPCUACertificateManager({ rootFolder: dir, automaticallyAcceptUnknownCertificate: false, disableFileWatchers: true });
  const certificateFile = join(dir, 'own', 'certs', 'client_certificate.pem');
  const privateKeyFile = join(dir, 'own', 'private', 'private_key.pem');
  let applicationUri: string;
  let certificate: CertificateInfo;
  try {
    await cm.initialize();
    if (existsSync(certificateFile)) {
      certificate = checkExisting(certificateFile, privateKeyFile, options.applicationUri);
      applicationUri = certificate.applicationUri!;
      logger.debug({ thumbprint: certificate.thumbprint }, `using client certificate ${certificateFile} ${certificateLabel(certificate)}`);
    } else {
      const host = hostname();
      applicationUri = options.applicationUri ?? `urn:${host}:fieldbridge:bridge-opcua`;
      await cm.createSelfSignedCertificate({
        applicationUri,
        dns: [host],
        subject: opcua.makeSubject(applicationName, host),
        startDate: new Date(),
        validity: 3650,
        outputFile: certificateFile,
      });
      certificate = describeCertificate(readFileSync(certificateFile, 'latin1'));
      logger.info(
        { thumbprint: certificate.thumbprint, certificate: certificateFile },
        `created client certificate ${certificateLabel(certificate)} in ${certificateFile}; a server that refuses unknown clients must trust it`,
      );
    }
  } catch (err) {
    await cm.dispose().catch(() => undefined);
    restoreOpensslConf();
    if (err instanceof OpcuaBridgeError) throw err;
    throw new OpcuaBridgeError('PKI_FAILED', `cannot prepare the client certificate in ${dir}: ${messageOf(err)}`, { cause: err, retryable: false });
  }
  restoreOpensslConf();
  const warnings = options.warnings ?? createRunWarnings();
  if (options.trust === 'always') {
    warnings.warn(logger, 'trust_always', '', { trust: 'always' }, 'trust: always accepts any server certificate, so anything between this client and the server can pose as the server; use tofu or strict');
  }
  const hook = installTrustHook(cm as unknown as CertificateManagerLike, options.trust, opcua.StatusCodes.Good, logger, warnings);
  let disposed = false;
  return {
    dir,
    trust: options.trust,
    certificateManager: cm,
    clientOptions: { clientCertificateManager: cm, certificateFile, privateKeyFile },
    certificateFile,
    privateKeyFile,
    applicationUri,
    applicationName,
    certificate,
    takeRefusal: () => hook.takeRefusal(),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await cm.dispose();
    },
  };
}

function checkExisting(certificateFile: string, privateKeyFile: string, wantedUri: string | undefined): CertificateInfo {
  const pem = readFileSync(certificateFile, 'latin1');
  const info = describeCertificate(pem);
  if (!info.applicationUri) {
    throw new OpcuaBridgeError(
      'CLIENT_CERTIFICATE_MISMATCH',
      `the client certificate ${certificateFile} has no ApplicationUri, which OPC UA requires: delete it and its key ${privateKeyFile} to make a new one (servers must then trust the new certificate)`,
      { retryable: false },
    );
  }
  if (wantedUri !== undefined && wantedUri !== info.applicationUri) {
    throw new OpcuaBridgeError(
      'CLIENT_CERTIFICATE_MISMATCH',
      `the client certificate ${certificateFile} was made for ApplicationUri ${info.applicationUri}, but the client is now configured with ${wantedUri}. ` +
        `Set the ApplicationUri back to ${info.applicationUri}, or delete ${certificateFile} to make a new certificate for ${wantedUri} (servers that trusted the old one must then trust the new one)`,
      { retryable: false },
    );
  }
  const certKey = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  const ownKey = createPublicKey(createPrivateKey(readFileSync(privateKeyFile, 'latin1'))).export({ type: 'spki', format: 'der' });
  if (!certKey.equals(ownKey)) {
    throw new OpcuaBridgeError(
      'CLIENT_CERTIFICATE_MISMATCH',
      `the private key ${privateKeyFile} does not belong to the client certificate ${certificateFile}: restore the matching key, or delete the certificate to make a new one (servers must then trust the new certificate)`,
      { retryable: false },
    );
  }
  return info;
}
