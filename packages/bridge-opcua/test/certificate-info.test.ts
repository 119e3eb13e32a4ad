import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCertificate, firstCertificate, subjectAltNameUris } from '../src/certificate-info.js';
import { createCleanup } from './helpers/cleanup.js';

// Certificates made by openssl (a peer, see scripts/peers.mjs), checked against what openssl
// itself reports about them: an implementation this package did not write.
const cleanup = createCleanup();
afterAll(() => cleanup.run());

function makeCertificate(dir: string, name: string, san: string): { pem: string; der: Buffer; sha1: string } {
  const key = join(dir, `${name}.key`);
  const pemFile = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', pemFile, '-days', '30', '-subj', `/CN=${name}/O=fieldbridge`, '-addext', `subjectAltName=${san}`], { stdio: 'pipe' });
  const fingerprint = execFileSync('openssl', ['x509', '-in', pemFile, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
  const der = execFileSync('openssl', ['x509', '-in', pemFile, '-outform', 'DER']);
  return { pem: readFileSync(pemFile, 'latin1'), der, sha1: fingerprint.split('=')[1]!.trim().replace(/:/g, '').toLowerCase() };
}

describe('describeCertificate', () => {
  const dir = cleanup.dir('certs');

  it('reads thumbprint, name and ApplicationUri as openssl does', () => {
    const cert = makeCertificate(dir, 'plc1', 'URI:urn:plant:plc1,DNS:plc1.local');
    const fromPem = describeCertificate(cert.pem);
    expect(fromPem).toMatchObject({ thumbprint: cert.sha1, commonName: 'plc1', applicationUri: 'urn:plant:plc1' });
    expect(describeCertificate(cert.der)).toEqual(fromPem);
    expect(fromPem.notAfter.getTime() - fromPem.notBefore.getTime()).toBe(30 * 86_400_000);
  });

  it('describes the leaf of a chain sent as certificates back to back', () => {
    const leaf = makeCertificate(dir, 'leaf', 'URI:urn:leaf');
    const other = makeCertificate(dir, 'ca', 'URI:urn:ca');
    const chain = Buffer.concat([leaf.der, other.der]);
    expect(Buffer.from(firstCertificate(chain)).equals(leaf.der)).toBe(true);
    expect(describeCertificate(chain).thumbprint).toBe(leaf.sha1);
  });

  it('has no ApplicationUri when the certificate names none', () => {
    const cert = makeCertificate(dir, 'plain', 'DNS:plain.local');
    expect(describeCertificate(cert.pem).applicationUri).toBeUndefined();
  });

  it('refuses what is not a certificate', () => {
    writeFileSync(join(dir, 'junk'), 'junk');
    expect(() => describeCertificate(Buffer.from([0x30, 0x03, 1, 2, 3]))).toThrow(/not an X.509 certificate/);
    expect(() => describeCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(/not an X.509 certificate/);
  });
});

describe('subjectAltNameUris', () => {
  it('reads URI entries, quoted ones included', () => {
    expect(subjectAltNameUris('DNS:vm, IP Address:192.0.2.2, URI:urn:vm:NodeOPCUA-Server')).toEqual(['urn:vm:NodeOPCUA-Server']);
    expect(subjectAltNameUris('URI:"urn:a,b", URI:urn:c')).toEqual(['urn:a,b', 'urn:c']);
    expect(subjectAltNameUris(undefined)).toEqual([]);
  });
});
