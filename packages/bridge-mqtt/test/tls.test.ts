import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, trackCleanups, type TestCerts } from '@fieldbridge/core/testing';
import { startMosquitto, type Mosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

let certs: TestCerts;
let serverOnly: Mosquitto;
let clientCert: Mosquitto;
let named: Mosquitto;
beforeAll(async () => {
  certs = await makeTestCerts();
  [serverOnly, clientCert, named] = await Promise.all([
    startMosquitto({ tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey } }),
    startMosquitto({ tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey, requireCertificate: true } }),
    startMosquitto({ tls: { ca: certs.ca, cert: certs.namedCert, key: certs.namedKey } }),
  ]);
});
afterAll(async () => {
  await Promise.all([serverOnly, clientCert, named].map((b) => b?.close()));
  await certs?.remove();
});

const track = trackCleanups();

const subscriptions = [{ topic: 'secure/+', format: 'number', metric: 'secure.{topic.1}' }];
const publisherTls = () => ({ ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });

/**
 * Starts a source and resolves with the first connection problem it reports. `mustFix`: a
 * certificate refused either side, which fails the subscription's channel (a --once stops at
 * it) and is an episode of its own; else the channel stays connecting.
 */
async function firstConnectionProblem(config: Record<string, unknown>, mustFix: boolean): Promise<string> {
  const { t } = await startSource(section({ ...config, reconnect: { initial_ms: 50, max_ms: 50 }, subscriptions }), {}, track);
  const key = mustFix ? 'mqtt.connection.refused' : 'mqtt.connection';
  await t.waitFor(() => t.problems.some((p) => p.key.startsWith('mqtt.connection')), 'a connection problem');
  expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.key)).toEqual([key]);
  expect(t.channels()['secure/+']?.state).toBe(mustFix ? 'failed' : 'connecting');
  return t.problems.find((p) => p.key === key)?.message ?? '';
}

describe('mqtts:// against mosquitto with a test CA', () => {
  it('verifies the broker with tls.ca and receives', async () => {
    const { t, subscribed } = await startSource(section({ url: serverOnly.url, tls: { ca: certs.ca }, subscriptions }), {}, track);
    await subscribed();
    const pub = await connectPublisher(serverOnly.url, publisherTls());
    track.defer(() => pub.close());
    await pub.publish('secure/a', '42');
    await t.waitFor(() => t.points.length === 1, 'a point');
    expect(t.points[0]).toMatchObject({ metric: 'secure.a', value: 42 });
  });

  it('refuses a broker whose certificate another CA signed, saying so', async () => {
    const message = await firstConnectionProblem({ url: serverOnly.url, tls: { ca: certs.otherCa } }, true);
    expect(message).toContain(`${serverOnly.url}: TLS: the broker's certificate was not accepted (`);
    expect(message).toContain('set mqtt.tls.ca to the CA that signed it');
  });

  // mqtt:// to a TLS port and mqtts:// to a plain one said "the connection was reset" and "if the
  // broker requires a client certificate...": neither named the scheme, the usual mistake.
  it('names mqtts:// when mqtt:// meets a TLS port', async () => {
    const message = await firstConnectionProblem({ url: serverOnly.url.replace(/^mqtts:/, 'mqtt:') }, false);
    expect(message).toContain('if the port takes TLS (8883 by convention), write mqtts:// with mqtt.tls');
  });

  it('names mqtt:// when mqtts:// meets a plain port', async () => {
    const plain = track.add(await startMosquitto(), (b) => b.close());
    const message = await firstConnectionProblem({ url: plain.url.replace(/^mqtt:/, 'mqtts:'), tls: { ca: certs.ca } }, false);
    expect(message).toMatch(/the TLS connection failed \(.*\): the port may take plain MQTT \(1883 by convention\): then write mqtt:\/\/ and leave out mqtt\.tls/);
  });

  it('verifies by default: the system CAs do not know the test CA', async () => {
    const message = await firstConnectionProblem({ url: serverOnly.url }, true);
    expect(message).toMatch(/TLS: the broker's certificate was not accepted \(.*certificate/);
  });

  it('presents a client certificate where the broker requires one', async () => {
    const { t, subscribed } = await startSource(
      section({ url: clientCert.url, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }, subscriptions }),
      {},
      track,
    );
    await subscribed();
    const pub = await connectPublisher(clientCert.url, publisherTls());
    track.defer(() => pub.close());
    await pub.publish('secure/b', '7');
    await t.waitFor(() => t.points.length === 1, 'a point');
    expect(t.points[0]).toMatchObject({ metric: 'secure.b', value: 7 });
  });

  it('explains a refusal for a missing client certificate', async () => {
    const message = await firstConnectionProblem({ url: clientCert.url, tls: { ca: certs.ca } }, true);
    expect(message).toBe(`${clientCert.url}: the broker requires a client certificate (tlsv13 alert certificate required): set mqtt.tls.cert and mqtt.tls.key; next attempt in ${/next attempt in (\d+) ms/.exec(message)?.[1]} ms`);
  });

  it('checks the certificate against tls.servername when the URL names an address', async () => {
    const mismatch = await firstConnectionProblem({ url: named.url, tls: { ca: certs.ca } }, true);
    expect(mismatch).toMatch(/TLS: the broker's certificate was not accepted \(.*(altnames|broker\.test)/);
    const { t, subscribed } = await startSource(section({ url: named.url, tls: { ca: certs.ca, servername: 'broker.test' }, subscriptions }), {}, track);
    await subscribed();
    expect(t.problems.filter((p) => p.key.startsWith('mqtt.connection'))).toEqual([]);
  });
});
