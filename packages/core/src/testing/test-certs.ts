import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throw-away PKI made with openssl (a test peer) for one test file. */
export interface TestCerts {
  dir: string;
  /** The CA that signed the server and client certificates. */
  ca: string;
  /** Server certificate for 127.0.0.1 and localhost, and its key. */
  serverCert: string;
  serverKey: string;
  /** Server certificate naming only DNS broker.test (to test a server name), and its key. */
  namedCert: string;
  namedKey: string;
  /** Client certificate (CN fieldbridge-client) and its key. */
  clientCert: string;
  clientKey: string;
  /** Another CA, which signed nothing here. */
  otherCa: string;
  remove(): Promise<void>;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function ca(dir: string, name: string): Promise<void> {
  await run('openssl', ['req', '-x509', ...KEY, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '2', '-subj', `/CN=fieldbridge test ${name}`]);
}

async function leaf(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, `${extensions}\n`);
  await run('openssl', ['req', ...KEY, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', subject]);
  await run('openssl', [
    'x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-out', join(dir, `${name}.crt`), '-days', '2', '-extfile', ext,
  ]);
}

/** Generates a CA, server certificates, a client certificate and an unrelated CA. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'fb-certs-'));
  await ca(dir, 'ca');
  await ca(dir, 'other-ca');
  await leaf(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  await leaf(dir, 'named', '/CN=broker.test', 'subjectAltName=DNS:broker.test\nextendedKeyUsage=serverAuth');
  await leaf(dir, 'client', '/CN=fieldbridge-client', 'extendedKeyUsage=clientAuth');
  const f = (name: string): string => join(dir, name);
  return {
    dir,
    ca: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    namedCert: f('named.crt'),
    namedKey: f('named.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    otherCa: f('other-ca.crt'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
