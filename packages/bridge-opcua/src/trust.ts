import { shellWord } from './_shell-word.js';
import { certificateLabel, type CertificateInfo } from './certificate-info.js';

/**
 * How the client decides to trust a server's certificate:
 * - `strict`: only certificates placed in `<pki>/trusted/certs/` (or issued by a CA placed in
 *   `<pki>/issuers/certs/`); an unknown one lands in `<pki>/rejected/` to be moved by hand.
 * - `tofu` (trust on first use): the first certificate a server shows is trusted and kept in
 *   `<pki>/trusted/certs/`; a different one later is refused until that file is deleted.
 * - `always`: any certificate, even an expired one. Insecure: anyone on the path can pose as
 *   the server. Logged as such at every start.
 */
export type TrustMode = 'strict' | 'tofu' | 'always';

/** Every trust mode. */
export const TRUST_MODES: readonly TrustMode[] = ['strict', 'tofu', 'always'];

/** A certificate in the trusted folder. */
export interface TrustedCertificate {
  info: CertificateInfo;
  file: string;
}

/** What {@link decideTrust} needs to know. */
export interface TrustQuestion {
  mode: TrustMode;
  /** node-opcua's verdict on the certificate: `Good`, `BadCertificateUntrusted`, `BadCertificateTimeInvalid`, ... */
  status: string;
  presented: CertificateInfo;
  /** The certificates in `<pki>/trusted/certs/`. */
  trusted: readonly TrustedCertificate[];
  /** Where node-opcua put the presented certificate when it did not trust it, if known. */
  rejectedFile?: string;
  /** `<pki>/trusted/certs`. */
  trustedFolder: string;
  /** `<pki>/issuers`. */
  issuersFolder: string;
}

/** {@link decideTrust}'s answer: accept, trust it now (tofu's first use), or refuse with what to do. */
export type TrustDecision =
  | { action: 'accept' }
  | { action: 'pin' }
  | { action: 'refuse'; code: 'SERVER_CERTIFICATE_UNTRUSTED' | 'SERVER_CERTIFICATE_CHANGED'; message: string };

/** The trusted certificates that belong to the same server as `presented`: same ApplicationUri, or same name when it has none. */
export function sameServer(presented: CertificateInfo, trusted: readonly TrustedCertificate[]): TrustedCertificate[] {
  return trusted.filter((t) =>
    presented.applicationUri ? t.info.applicationUri === presented.applicationUri : !t.info.applicationUri && t.info.commonName === presented.commonName,
  );
}

/** Decides about a server certificate. Pure: the caller does what the decision says. */
export function decideTrust(q: TrustQuestion): TrustDecision {
  if (q.mode === 'always' || q.status === 'Good') return { action: 'accept' };
  const label = certificateLabel(q.presented);
  if (q.status !== 'BadCertificateUntrusted') return { action: 'refuse', code: 'SERVER_CERTIFICATE_UNTRUSTED', message: refusalFor(q, label) };
  if (q.mode === 'tofu') {
    const pinned = sameServer(q.presented, q.trusted);
    if (pinned.length === 0) return { action: 'pin' };
    const old = pinned.map((p) => `${p.info.thumbprint} (${p.file})`).join(', ');
    const server = q.presented.applicationUri ?? q.presented.commonName;
    return {
      action: 'refuse',
      code: 'SERVER_CERTIFICATE_CHANGED',
      message:
        `server ${server} now shows certificate ${q.presented.thumbprint} (valid from ${day(q.presented.notBefore)}), ` +
        `not the one trusted on first use, ${old}. If the server's certificate was replaced on purpose, ` +
        `delete ${pinned.map((p) => shellWord(p.file)).join(' and ')} and the next connect trusts the new one; ` +
        'otherwise something may be posing as the server: do not connect (trust: tofu)',
    };
  }
  // Quoted for a shell: the rejected file's name has the certificate's subject (spaces) and its thumbprint in brackets.
  const into = shellWord(`${q.trustedFolder}/`);
  const move = q.rejectedFile ? `move ${shellWord(q.rejectedFile)} into ${into}` : `copy the server's certificate into ${into}`;
  return {
    action: 'refuse',
    code: 'SERVER_CERTIFICATE_UNTRUSTED',
    message: `the server's certificate ${label} is not trusted (trust: strict): if it is the right server, ${move} and the next connect uses it, or set trust: tofu`,
  };
}

function refusalFor(q: TrustQuestion, label: string): string {
  switch (q.status) {
    case 'BadCertificateTimeInvalid':
      return `the server's certificate ${label} is valid only from ${day(q.presented.notBefore)} to ${day(q.presented.notAfter)}: renew the server's certificate, or check this machine's clock`;
    case 'BadCertificateIssuerTimeInvalid':
      return `the issuer of the server's certificate ${label} has expired or is not valid yet: renew the CA certificate in ${shellWord(`${q.issuersFolder}/certs/`)}`;
    case 'BadCertificateRevoked':
    case 'BadCertificateIssuerRevoked':
      return `the server's certificate ${label} has been revoked by its issuer: the server needs a new certificate`;
    case 'BadCertificateRevocationUnknown':
    case 'BadCertificateIssuerRevocationUnknown':
      return `the revocation list of the CA that issued the server's certificate ${label} is missing: put the CA's CRL into ${shellWord(`${q.issuersFolder}/crl/`)}`;
    case 'BadCertificateChainIncomplete':
      return `the CA that issued the server's certificate ${label} is unknown: put the CA's certificate into ${shellWord(`${q.issuersFolder}/certs/`)}`;
    default:
      return `the server's certificate ${label} was refused (${q.status}): check the certificate the server uses`;
  }
}

function day(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'an unreadable date' : date.toISOString().slice(0, 10);
}
