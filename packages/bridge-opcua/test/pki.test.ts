import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import type { ConnectionEvent } from '../src/connection.js';
import { loadOpcua, type OpcuaModule } from '../src/load.js';
import { openPki } from '../src/pki.js';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { createCleanup } from './helpers/cleanup.js';
import { capturingLogger } from './helpers/logger.js';
import { restartOn, serverFor } from './helpers/servers.js';
import { refusal } from './helpers/refusal.js';

const cleanup = createCleanup();
let opcua: OpcuaModule;
let server: OpcuaTestServer;
const serverPki = cleanup.dir('server');

beforeAll(async () => {
  opcua = await loadOpcua(capturingLogger());
  server = await serverFor(cleanup, { pkiDir: serverPki });
});
afterAll(() => cleanup.run());

describe('the client certificate', () => {
  it('is made on first use with the ApplicationUri the client sends, and reused afterwards', async () => {
    const dir = cleanup.dir('client');
    const logger = capturingLogger();
    const first = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir, trust: 'tofu', applicationUri: 'urn:plant-a:bridge1' }, logger, security: { mode: 'Sign' } });
    const thumbprint = first.pki.certificate.thumbprint;
    expect(first.pki.certificate.applicationUri).toBe('urn:plant-a:bridge1');
    expect(first.pki.applicationUri).toBe('urn:plant-a:bridge1');
    // The server sees the application description with the same URI as the certificate.
    const [serverSession] = server.server.engine.getSessions();
    expect(serverSession?.clientDescription?.applicationUri).toBe('urn:plant-a:bridge1');
    await first.close();
    const created = logger.lines.find((l) => l.msg.startsWith('created client certificate'));
    const file = join(dir, 'own', 'certs', 'client_certificate.pem');
    // Not in `file`, which names the mapping file of a line in a run of several.
    expect(created?.obj).toEqual({ thumbprint, certificate: file });
    const written = statSync(file).mtimeMs;
    const pem = readFileSync(file, 'latin1');

    // A restart of the client, without naming the URI: the certificate and its URI are kept.
    const again = capturingLogger();
    const second = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir, trust: 'tofu' }, logger: again, security: { mode: 'Sign' } });
    cleanup.add(() => second.close());
    expect(second.pki.certificate.thumbprint).toBe(thumbprint);
    expect(second.pki.applicationUri).toBe('urn:plant-a:bridge1');
    expect(readFileSync(file, 'latin1')).toBe(pem);
    expect(statSync(file).mtimeMs).toBe(written);
    expect(again.messages().some((m) => m.startsWith('created client certificate'))).toBe(false);
    expect(process.env.OPENSSL_CONF).toBeUndefined();
  });

  it('makes its folder, and any missing folder above it (the spool\'s), owner-only', async () => {
    const spool = join(cleanup.dir('state'), 'spool');
    await openPki(opcua, { dir: join(spool, 'opcua-pki'), trust: 'strict', logger: capturingLogger() });
    expect(statSync(spool).mode & 0o777).toBe(0o700);
    expect(statSync(join(spool, 'opcua-pki')).mode & 0o777).toBe(0o700);
  });

  it('refuses to run with another ApplicationUri than its certificate, saying what to do', async () => {
    const dir = cleanup.dir('client');
    const logger = capturingLogger();
    const pki = await openPki(opcua, { dir, trust: 'tofu', applicationUri: 'urn:old', logger });
    await pki.dispose();
    const mismatch = await refusal(openPki(opcua, { dir, trust: 'tofu', applicationUri: 'urn:new', logger }));
    expect(mismatch.code).toBe('CLIENT_CERTIFICATE_MISMATCH');
    const file = join(dir, 'own', 'certs', 'client_certificate.pem');
    expect(mismatch.message).toBe(
      `the client certificate ${file} was made for ApplicationUri urn:old, but the client is now configured with urn:new. ` +
        `Set the ApplicationUri back to urn:old, or delete ${file} to make a new certificate for urn:new (servers that trusted the old one must then trust the new one)`,
    );
    // Doing what it says works.
    rmSync(file);
    const renewed = await openPki(opcua, { dir, trust: 'tofu', applicationUri: 'urn:new', logger });
    expect(renewed.certificate.applicationUri).toBe('urn:new');
    await renewed.dispose();
  });

  it('refuses a private key that does not belong to the certificate', async () => {
    const dir = cleanup.dir('client');
    const logger = capturingLogger();
    await (await openPki(opcua, { dir, trust: 'tofu', logger })).dispose();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'own', 'private', 'private_key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const refused = await refusal(openPki(opcua, { dir, trust: 'tofu', logger }));
    expect(refused.code).toBe('CLIENT_CERTIFICATE_MISMATCH');
    expect(refused.message).toMatch(/does not belong to the client certificate/);
  });

  it('never uses node-opcua’s default PKI under ~/.config', async () => {
    const dir = cleanup.dir('client');
    const pki = await openPki(opcua, { dir, trust: 'strict', logger: capturingLogger() });
    expect(pki.certificateManager.rootDir).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['issuers', 'own', 'rejected', 'trusted']));
    await pki.dispose();
  });

  it('logs trust: always as insecure at every start', async () => {
    const logger = capturingLogger();
    const pki = await openPki(opcua, { dir: cleanup.dir('client'), trust: 'always', logger });
    await pki.dispose();
    expect(logger.messages('warn')).toContain('trust: always accepts any server certificate, so anything between this client and the server can pose as the server; use tofu or strict');
  });
});

describe('security None without a PKI folder', () => {
  it('connects with a certificate made in memory, the same for the process, writing no file', async () => {
    const logger = capturingLogger();
    const first = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { trust: 'tofu', applicationUri: 'urn:plant-a:none' }, logger });
    cleanup.add(() => first.close());
    expect(first.security.mode).toBe('None');
    expect(first.pki.dir).toBeUndefined();
    expect(first.pki.certificateFile).toBeUndefined();
    expect(first.pki.certificate.applicationUri).toBe('urn:plant-a:none');
    const sessions = server.server.engine.getSessions();
    expect(sessions.some((s) => s.clientDescription?.applicationUri === 'urn:plant-a:none')).toBe(true);
    expect(logger.messages().some((m) => m.startsWith('created client certificate'))).toBe(false);
    // A reconnect of the same process does not make another key.
    const second = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { trust: 'tofu', applicationUri: 'urn:plant-a:none' }, logger });
    cleanup.add(() => second.close());
    expect(second.pki.certificate.thumbprint).toBe(first.pki.certificate.thumbprint);
    expect(process.env.OPENSSL_CONF).toBeUndefined();
  });

  it('is refused for a secured connection, which needs a certificate the server can trust for good', async () => {
    const refused = await refusal(connectOpcua({ endpointUrl: server.endpointUrl, pki: { trust: 'tofu' }, logger: capturingLogger(), security: { mode: 'Sign' } }));
    expect(refused.code).toBe('PKI_FAILED');
    expect(refused.message).toBe('security Sign needs a PKI folder for the client certificate the server is to trust: give pki.dir');
  });
});

describe('trust on first use', () => {
  it('refuses a server whose certificate changed, at connect and at reconnect, naming both thumbprints and the file to delete', async () => {
    const pkiDir = cleanup.dir('tofu-server');
    let changing = await startOpcuaServer({ pkiDir });
    const port = changing.port;
    const firstThumbprint = changing.thumbprint;
    const dir = cleanup.dir('client');
    const options = { endpointUrl: changing.endpointUrl, pki: { dir, trust: 'tofu' as const }, logger: capturingLogger(), security: { mode: 'SignAndEncrypt' as const }, reconnectDelayMs: { initial: 100, max: 500 } };
    const connection = await connectOpcua(options);
    const pinned = readdirSync(join(dir, 'trusted', 'certs')).find((f) => f.includes(firstThumbprint))!;
    expect(pinned).toBeDefined();
    const events: ConnectionEvent[] = [];
    const refusedOnReconnect = new Promise<ConnectionEvent>((resolve) =>
      connection.onEvent((event) => {
        events.push(event);
        if (event.type === 'reconnect_failed') resolve(event);
      }),
    );

    // The server restarts on the same port with a new certificate.
    await changing.stop();
    changing = await restartOn(port, { pkiDir, newCertificate: true });
    cleanup.add(() => changing.stop());
    expect(changing.thumbprint).not.toBe(firstThumbprint);

    const failed = await refusedOnReconnect;
    expect(failed.type === 'reconnect_failed' && failed.error.code).toBe('SERVER_CERTIFICATE_CHANGED');
    expect(events[0]?.type).toBe('lost');
    // node-opcua would try again at once, without its backoff: the connection ends instead, for its owner to retry.
    expect(connection.state()).toBe('closed');
    await connection.close();
    expect(events.at(-1)?.type).toBe('closed');
    expect(events.filter((e) => e.type === 'reconnect_failed')).toHaveLength(1);

    // A new connect is refused just as clearly.
    const refused = await refusal(connectOpcua(options));
    expect(refused.code).toBe('SERVER_CERTIFICATE_CHANGED');
    const pinnedFile = join(dir, 'trusted', 'certs', pinned);
    expect(refused.message).toContain(`now shows certificate ${changing.thumbprint}`);
    expect(refused.message).toContain(`${firstThumbprint} (${pinnedFile})`);
    expect(refused.message).toContain(`delete '${pinnedFile}'`);

    // The operator accepts the new certificate by deleting the old one.
    rmSync(pinnedFile);
    const accepted = await connectOpcua(options);
    cleanup.add(() => accepted.close());
    expect(accepted.serverCertificate?.thumbprint).toBe(changing.thumbprint);
  });
});
