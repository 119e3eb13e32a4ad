import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateLabel, describeCertificate, type CertificateInfo } from './certificate-info.js';
import { OpcuaBridgeError } from './errors.js';
import type { OpcuaLogger } from './log-redirect.js';
import type { RunWarnings } from './run-warnings.js';
import { decideTrust, type TrustedCertificate, type TrustMode } from './trust.js';

/** A node-opcua StatusCode, as far as this file needs one. */
interface StatusCodeLike {
  name: string;
}

/** The parts of node-opcua's `OPCUACertificateManager` the trust hook uses. */
export interface CertificateManagerLike {
  checkCertificate(certificate: Buffer, callback?: (err: Error | null, status?: StatusCodeLike) => void): unknown;
  trustCertificate(certificate: Buffer): Promise<void>;
  reloadCertificates(): Promise<void>;
  readonly trustedFolder: string;
  readonly rejectedFolder: string;
  readonly rootDir: string;
}

/** What the hook remembers between a refusal and the failed connect that reports it. */
export interface TrustHook {
  /** The refusal of the latest check, explained; cleared by reading it. */
  takeRefusal(): OpcuaBridgeError | undefined;
}

// A trusted folder is a handful of files; this bounds the work when someone fills it.
const MAX_TRUSTED_FILES = 500;

async function listTrusted(folder: string): Promise<TrustedCertificate[]> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => /\.(pem|der|crt)$/i.test(n)).slice(0, MAX_TRUSTED_FILES);
  const out: TrustedCertificate[] = [];
  for (const name of names) {
    const file = join(folder, name);
    try {
      const bytes = await readFile(file);
      out.push({ info: describeCertificate(name.toLowerCase().endsWith('.der') ? bytes : bytes.toString('latin1')), file });
    } catch {
      // An unreadable file in the trusted folder trusts nothing: skip it, as node-opcua does.
    }
  }
  return out;
}

async function findRejected(folder: string, thumbprint: string): Promise<string | undefined> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const name = names.find((n) => n.toLowerCase().includes(`[${thumbprint}]`));
  return name === undefined ? undefined : join(folder, name);
}

/**
 * Replaces `cm.checkCertificate` (what node-opcua calls on a server's certificate at the first
 * connect and again when a reconnect finds a new one) with the `mode` policy. The folders are
 * re-read at every check, so a file an operator moves into `trusted/` counts at the next
 * connect without a restart. A refusal is kept for {@link TrustHook.takeRefusal} (and logged at
 * debug): the connect it fails reports it. A certificate accepted unchecked (`trust: always`) is
 * warned about once per run and certificate (`warnings`), not at every attempt.
 */
export function installTrustHook(cm: CertificateManagerLike, mode: TrustMode, good: StatusCodeLike, logger: OpcuaLogger, warnings: RunWarnings): TrustHook {
  const original = cm.checkCertificate.bind(cm) as (certificate: Buffer) => Promise<StatusCodeLike>;
  const issuersFolder = join(cm.rootDir, 'issuers');
  let refusal: OpcuaBridgeError | undefined;

  const check = async (certificate: Buffer): Promise<StatusCodeLike> => {
    await cm.reloadCertificates();
    const status = await original(certificate);
    let presented: CertificateInfo;
    try {
      presented = describeCertificate(certificate);
    } catch (err) {
      if (status.name === 'Good' || mode === 'always') return good;
      const message = `the server sent a certificate this client cannot read (${(err as Error).message}): check the server's certificate`;
      refusal = new OpcuaBridgeError('SERVER_CERTIFICATE_UNTRUSTED', message, { retryable: false });
      logger.debug({ status: status.name }, message);
      return status;
    }
    const decision = decideTrust({
      mode,
      status: status.name,
      presented,
      trusted: status.name === 'Good' || mode !== 'tofu' ? [] : await listTrusted(cm.trustedFolder),
      rejectedFile: await findRejected(cm.rejectedFolder, presented.thumbprint),
      trustedFolder: cm.trustedFolder,
      issuersFolder,
    });
    switch (decision.action) {
      case 'accept':
        if (status.name !== 'Good') {
          const message = `accepting the server's certificate ${certificateLabel(presented)} without checking it (trust: always)`;
          warnings.warn(logger, 'unchecked_certificate', presented.thumbprint, { thumbprint: presented.thumbprint, status: status.name }, message);
        }
        return status.name === 'Good' ? status : good;
      case 'pin':
        await cm.trustCertificate(certificate);
        logger.info({ thumbprint: presented.thumbprint }, `trusting the server's certificate ${certificateLabel(presented)} on first use; kept in ${cm.trustedFolder}`);
        return good;
      case 'refuse':
        refusal = new OpcuaBridgeError(decision.code, decision.message, { retryable: false });
        // Debug only: the failed connect carries the refusal, and its caller reports it (the bridge once per episode).
        logger.debug({ thumbprint: presented.thumbprint, status: status.name }, decision.message);
        return status;
    }
  };

  cm.checkCertificate = (certificate: Buffer, callback?: (err: Error | null, status?: StatusCodeLike) => void) => {
    const answer = check(certificate);
    if (!callback) return answer;
    answer.then((s) => callback(null, s), (err: Error) => callback(err));
    return undefined;
  };
  return {
    takeRefusal() {
      const taken = refusal;
      refusal = undefined;
      return taken;
    },
  };
}
