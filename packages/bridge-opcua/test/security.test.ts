import { describe, expect, it } from 'vitest';
import { chooseEndpoint, policyUri, type EndpointLike } from '../src/security.js';

const ep = (mode: number, policy: string, tokens: number[]): EndpointLike & { id: string } => ({
  id: `${mode}/${policy}`,
  securityMode: mode,
  securityPolicyUri: policyUri(policy as 'None'),
  userIdentityTokens: tokens.map((tokenType) => ({ tokenType })),
});
const server = [ep(1, 'None', [0]), ep(3, 'Basic256Sha256', [0, 1]), ep(3, 'Aes256_Sha256_RsaPss', [1, 2]), ep(2, 'Basic128Rsa15', [0])];

describe('chooseEndpoint', () => {
  it('picks the strongest current policy when none is named', () => {
    expect(chooseEndpoint(server, { mode: 'SignAndEncrypt', identity: 'username' })).toMatchObject({ ok: true, policy: 'Aes256_Sha256_RsaPss' });
  });

  it('takes the named policy', () => {
    expect(chooseEndpoint(server, { mode: 'SignAndEncrypt', policy: 'Basic256Sha256', identity: 'anonymous' })).toMatchObject({ ok: true, policy: 'Basic256Sha256' });
  });

  it('uses a deprecated policy only when it is named', () => {
    const unnamed = chooseEndpoint(server, { mode: 'Sign', identity: 'anonymous' });
    expect(unnamed).toEqual({
      ok: false,
      message:
        'the server offers no endpoint with security Sign/Aes256_Sha256_RsaPss or Aes128_Sha256_RsaOaep or Basic256Sha256; it offers None/None, SignAndEncrypt/Basic256Sha256, SignAndEncrypt/Aes256_Sha256_RsaPss, Sign/Basic128Rsa15 (name a deprecated policy explicitly to use Basic128Rsa15)',
    });
    expect(chooseEndpoint(server, { mode: 'Sign', policy: 'Basic128Rsa15', identity: 'anonymous' })).toMatchObject({ ok: true, policy: 'Basic128Rsa15' });
  });

  it('checks that the endpoint accepts the identity, naming what it accepts', () => {
    expect(chooseEndpoint(server, { mode: 'SignAndEncrypt', identity: 'certificate' })).toMatchObject({ ok: true, policy: 'Aes256_Sha256_RsaPss' });
    const refused = chooseEndpoint(server, { mode: 'SignAndEncrypt', policy: 'Basic256Sha256', identity: 'certificate' });
    expect(refused).toEqual({ ok: false, message: "the server's SignAndEncrypt/Basic256Sha256 endpoint accepts no certificate login; it accepts anonymous, user name" });
    expect(chooseEndpoint(server, { mode: 'None', identity: 'username' })).toMatchObject({ ok: false, message: expect.stringMatching(/accepts no user name login/) });
  });
});
