import { createHash, X509Certificate } from 'node:crypto';

/** What a log line or a refusal says about a certificate. */
export interface CertificateInfo {
  /** SHA-1 of the DER bytes, lowercase hex: the thumbprint OPC UA and node-opcua's file names use. */
  thumbprint: string;
  /** The subject's common name, or the whole subject when it has none. */
  commonName: string;
  /** The first `URI:` of the subjectAltName: an OPC UA application's ApplicationUri. */
  applicationUri?: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * The first certificate of `bytes`: OPC UA sends a chain as DER certificates back to back, and
 * the leaf comes first. Reads the outer SEQUENCE's length (X.690 DER); returns the input when it
 * does not start like one, so the parser reports the problem.
 */
export function firstCertificate(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4 || bytes[0] !== 0x30) return bytes;
  const first = bytes[1]!;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const lengthBytes = first & 0x7f;
  if (lengthBytes === 0 || lengthBytes > 4 || bytes.length < 2 + lengthBytes) return bytes;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[2 + i]!;
  const end = 2 + lengthBytes + length;
  return end <= bytes.length ? bytes.subarray(0, end) : bytes;
}

/** The `URI:` entries of an X509Certificate's `subjectAltName` text (Node quotes values with commas). */
export function subjectAltNameUris(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const uris: string[] = [];
  const pattern = /(?:^|,\s*)URI:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let match = pattern.exec(subjectAltName); match; match = pattern.exec(subjectAltName)) {
    const raw = match[1]!.trim();
    uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return uris;
}

/**
 * Describes a certificate given as DER bytes (or a chain, whose leaf is described) or as PEM
 * text. Throws a TypeError naming the problem when it is not a certificate.
 */
export function describeCertificate(certificate: Uint8Array | string): CertificateInfo {
  const der = typeof certificate === 'string' ? undefined : firstCertificate(certificate);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der ?? certificate);
  } catch (err) {
    throw new TypeError(`not an X.509 certificate: ${(err as Error).message}`);
  }
  const thumbprint = createHash('sha1').update(x509.raw).digest('hex');
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1] ?? x509.subject.replace(/\n/g, ', ');
  const applicationUri = subjectAltNameUris(x509.subjectAltName)[0];
  return {
    thumbprint,
    commonName,
    ...(applicationUri === undefined ? {} : { applicationUri }),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

/** `CN (thumbprint ab12..., ApplicationUri urn:...)`: how messages name a certificate. */
export function certificateLabel(info: CertificateInfo): string {
  const uri = info.applicationUri ? `, ApplicationUri ${info.applicationUri}` : '';
  return `"${info.commonName}" (thumbprint ${info.thumbprint}${uri})`;
}
