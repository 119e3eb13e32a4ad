import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../src/certificate-info.js';
import { decideTrust, type TrustQuestion } from '../src/trust.js';

const cert = (thumbprint: string, applicationUri?: string, commonName = 'PLC1'): CertificateInfo => ({
  thumbprint,
  commonName,
  ...(applicationUri ? { applicationUri } : {}),
  notBefore: new Date(Date.UTC(2025, 0, 1)),
  notAfter: new Date(Date.UTC(2035, 0, 1)),
});
const base = (over: Partial<TrustQuestion>): TrustQuestion => ({
  mode: 'tofu',
  status: 'BadCertificateUntrusted',
  presented: cert('bbbb', 'urn:plc1'),
  trusted: [],
  rejectedFile: '/pki/rejected/PLC1[bbbb].pem',
  trustedFolder: '/pki/trusted/certs',
  issuersFolder: '/pki/issuers',
  ...over,
});

describe('decideTrust', () => {
  it('accepts what node-opcua already trusts, in every mode', () => {
    for (const mode of ['strict', 'tofu', 'always'] as const) expect(decideTrust(base({ mode, status: 'Good' }))).toEqual({ action: 'accept' });
  });

  it('always: accepts even an expired certificate', () => {
    expect(decideTrust(base({ mode: 'always', status: 'BadCertificateTimeInvalid' }))).toEqual({ action: 'accept' });
  });

  it('tofu: trusts the first certificate of a server', () => {
    expect(decideTrust(base({ trusted: [{ info: cert('cccc', 'urn:other'), file: '/pki/trusted/certs/other.pem' }] }))).toEqual({ action: 'pin' });
  });

  it('tofu: refuses a changed certificate naming both thumbprints and the file to delete', () => {
    const decision = decideTrust(base({ trusted: [{ info: cert('aaaa', 'urn:plc1'), file: '/pki/trusted/certs/PLC1[aaaa].pem' }] }));
    expect(decision).toMatchObject({ action: 'refuse', code: 'SERVER_CERTIFICATE_CHANGED' });
    if (decision.action === 'refuse') {
      expect(decision.message).toContain('now shows certificate bbbb');
      expect(decision.message).toContain('aaaa (/pki/trusted/certs/PLC1[aaaa].pem)');
      expect(decision.message).toContain("delete '/pki/trusted/certs/PLC1[aaaa].pem' and the next connect trusts the new one");
    }
  });

  it('tofu: tells servers without an ApplicationUri apart by name', () => {
    const trusted = [{ info: cert('aaaa', undefined, 'PLC1'), file: '/f' }];
    expect(decideTrust(base({ presented: cert('bbbb', undefined, 'PLC2'), trusted }))).toEqual({ action: 'pin' });
    expect(decideTrust(base({ presented: cert('bbbb', undefined, 'PLC1'), trusted }))).toMatchObject({ action: 'refuse', code: 'SERVER_CERTIFICATE_CHANGED' });
  });

  it('strict: refuses an unknown certificate, saying which file to move where', () => {
    const decision = decideTrust(base({ mode: 'strict' }));
    expect(decision).toMatchObject({ action: 'refuse', code: 'SERVER_CERTIFICATE_UNTRUSTED' });
    if (decision.action === 'refuse') expect(decision.message).toContain("move '/pki/rejected/PLC1[bbbb].pem' into /pki/trusted/certs/");
  });

  it('names the files to move and delete so that a shell takes them pasted as they are', () => {
    // node-opcua names a certificate file after its subject (spaces, an apostrophe) and thumbprint (brackets).
    const pki = mkdtempSync(join(tmpdir(), 'fb-opcua-trust pki '));
    try {
      const rejected = join(pki, 'rejected', "O'Neil PLC [line 1][bbbb].pem");
      const trusted = join(pki, 'trusted', 'certs');
      for (const dir of [dirname(rejected), trusted]) mkdirSync(dir, { recursive: true });
      writeFileSync(rejected, 'pem');
      const strict = decideTrust(base({ mode: 'strict', rejectedFile: rejected, trustedFolder: trusted }));
      const move = strict.action === 'refuse' ? /if it is the right server, move (.+) into (.+) and the next connect uses it/.exec(strict.message) : null;
      expect(move, JSON.stringify(strict)).not.toBeNull();
      execFileSync('sh', ['-c', `mv ${move![1]} ${move![2]}`]);
      const pinned = join(trusted, basename(rejected));
      expect(readFileSync(pinned, 'utf8')).toBe('pem');

      const changed = decideTrust(base({ trusted: [{ info: cert('aaaa', 'urn:plc1'), file: pinned }], trustedFolder: trusted }));
      const remove = changed.action === 'refuse' ? /delete (.+) and the next connect trusts the new one/.exec(changed.message) : null;
      expect(remove, JSON.stringify(changed)).not.toBeNull();
      execFileSync('sh', ['-c', `rm ${remove![1]}`]);
      expect(existsSync(pinned)).toBe(false);
    } finally {
      rmSync(pki, { recursive: true, force: true });
    }
  });

  it.each([
    ['BadCertificateTimeInvalid', /valid only from 2025-01-01 to 2035-01-01/],
    ['BadCertificateRevoked', /revoked/],
    ['BadCertificateIssuerRevocationUnknown', /CRL into \/pki\/issuers\/crl/],
    ['BadCertificateChainIncomplete', /into \/pki\/issuers\/certs/],
    ['BadCertificateUseNotAllowed', /\(BadCertificateUseNotAllowed\)/],
  ])('explains %s in strict and tofu alike', (status, why) => {
    for (const mode of ['strict', 'tofu'] as const) {
      const decision = decideTrust(base({ mode, status }));
      expect(decision.action).toBe('refuse');
      if (decision.action === 'refuse') expect(decision.message).toMatch(why);
    }
  });
});
