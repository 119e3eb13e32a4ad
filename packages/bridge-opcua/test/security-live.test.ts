import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { clientFor, serverFor } from './helpers/servers.js';
import { refusal } from './helpers/refusal.js';

const cleanup = createCleanup();
// One server that offers only SignAndEncrypt, knows one user and refuses anonymous logins.
let secure: OpcuaTestServer;
const USERS = { operator: 'Secret-42' };

beforeAll(async () => {
  secure = await serverFor(cleanup, { pkiDir: cleanup.dir('secure'), securityModes: ['SignAndEncrypt'], users: USERS, allowAnonymous: false });
});
afterAll(() => cleanup.run());

describe('SignAndEncrypt with a user name', () => {
  it('connects, picks the strongest policy the server offers, and values flow', async () => {
    const connection = await clientFor(cleanup, secure.endpointUrl, cleanup.dir('client'), {
      security: { mode: 'SignAndEncrypt' },
      auth: { kind: 'username', username: 'operator', password: 'Secret-42' },
    });
    expect(connection.security).toEqual({ mode: 'SignAndEncrypt', policy: 'Aes256_Sha256_RsaPss' });
    expect(connection.serverCertificate?.thumbprint).toBe(secure.thumbprint);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 20, variables: [{ key: 'temp', nodeId: `nsu=${SIM_NAMESPACE};s=Boiler.Temperature`, samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'temp');
    secure.set('Boiler.Temperature', 77.5);
    await c.value((v) => v.value === 77.5);
  });

  it('takes a named current policy', async () => {
    const connection = await clientFor(cleanup, secure.endpointUrl, cleanup.dir('client'), {
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      auth: { kind: 'username', username: 'operator', password: 'Secret-42' },
    });
    expect(connection.security.policy).toBe('Basic256Sha256');
  });

  it('explains a wrong password, an anonymous login and an unsecured endpoint the server does not have', async () => {
    const pki = cleanup.dir('client');
    const base = { endpointUrl: secure.endpointUrl, pki: { dir: pki, trust: 'tofu' as const }, logger: capturingLogger() };
    const wrong = await refusal(connectOpcua({ ...base, security: { mode: 'SignAndEncrypt' }, auth: { kind: 'username', username: 'operator', password: 'nope' } }));
    expect(wrong.code).toBe('AUTH_FAILED');
    expect(wrong.message).toMatch(/refused the login as user "operator" \(BadUserAccessDenied\)/);
    expect(wrong.message).not.toContain('nope');
    const anonymous = await refusal(connectOpcua({ ...base, security: { mode: 'SignAndEncrypt' } }));
    expect(anonymous).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(anonymous.message).toMatch(/accepts no anonymous login; it accepts user name/);
    const unsecured = await refusal(connectOpcua({ ...base, auth: { kind: 'username', username: 'operator', password: 'Secret-42' } }));
    expect(unsecured.code).toBe('SECURITY_UNSUPPORTED');
    expect(unsecured.message).toMatch(/offers no endpoint with security None; it offers SignAndEncrypt\//);
  });

  it('logs in with an X.509 user certificate', async () => {
    const dir = cleanup.dir('user');
    const key = join(dir, 'user.key');
    const cert = join(dir, 'user.pem');
    // The client and the server put back the OPENSSL_CONF node-opcua-crypto spoils (see restoreOpensslConf).
    expect(process.env.OPENSSL_CONF).toBeUndefined();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=operator',
      '-addext', 'keyUsage=digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment', '-addext', 'extendedKeyUsage=clientAuth'], { stdio: 'pipe' });
    const connection = await clientFor(cleanup, secure.endpointUrl, cleanup.dir('client'), {
      security: { mode: 'SignAndEncrypt' },
      auth: { kind: 'certificate', certificateFile: cert, privateKeyFile: key },
    });
    expect(connection.state()).toBe('connected');
  });
});

describe('server trust: strict', () => {
  it('refuses an unknown server saying which file to move, and connects once it is moved', async () => {
    const pki = cleanup.dir('strict');
    const options = { endpointUrl: secure.endpointUrl, pki: { dir: pki, trust: 'strict' as const }, logger: capturingLogger(), security: { mode: 'SignAndEncrypt' as const }, auth: { kind: 'username' as const, username: 'operator', password: 'Secret-42' } };
    const refused = await refusal(connectOpcua(options));
    expect(refused.code).toBe('SERVER_CERTIFICATE_UNTRUSTED');
    const rejected = readdirSync(join(pki, 'rejected')).find((f) => f.includes(secure.thumbprint));
    expect(rejected).toBeDefined();
    // Quoted for a shell: the file is named after the certificate's subject and, in brackets, its thumbprint.
    expect(refused.message).toContain(`move '${join(pki, 'rejected', rejected!)}' into ${join(pki, 'trusted', 'certs')}/`);
    expect(refused.message).toContain(secure.thumbprint);
    // The operator does what it says, pasting the names into mv.
    const [, file, folder] = /move (.+) into (\S+) and the next connect/.exec(refused.message)!;
    execFileSync('sh', ['-c', `mv ${file} ${folder}`]);
    const connection = await connectOpcua(options);
    cleanup.add(() => connection.close());
    expect(connection.state()).toBe('connected');
  });
});

describe('a server that does not trust this client yet', () => {
  it('is reported with the client certificate to trust, and accepts it once trusted', async () => {
    const picky = await serverFor(cleanup, { pkiDir: cleanup.dir('picky'), acceptUnknownClients: false });
    const pki = cleanup.dir('client');
    const options = { endpointUrl: picky.endpointUrl, pki: { dir: pki, trust: 'tofu' as const }, logger: capturingLogger(), security: { mode: 'Sign' as const } };
    const refused = await refusal(connectOpcua(options));
    expect(refused.code).toBe('CLIENT_CERTIFICATE_REFUSED');
    expect(refused.message).toContain(join(pki, 'own', 'certs', 'client_certificate.pem'));
    // The server's administrator trusts the certificate the message names.
    const pem = readFileSync(join(pki, 'own', 'certs', 'client_certificate.pem'), 'latin1');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    await picky.server.serverCertificateManager.trustCertificate(der);
    const connection = await connectOpcua(options);
    cleanup.add(() => connection.close());
    expect(connection.security.mode).toBe('Sign');
  });
});
