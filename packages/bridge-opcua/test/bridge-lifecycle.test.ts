import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogs, trackCleanups, type CapturedLogs } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../src/certificate-info.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { pointsOf, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { until } from './helpers/until.js';

// The bridge across what happens to a running server: a restart, a restart with a new
// certificate, a server that trusts only known clients, a spool that fills up.
const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());
// Certificates take seconds to make: the tests share one server and one client PKI folder where
// the certificates themselves are not what they test.
const sharedServerPki = files.dir('server');
const sharedClientPki = files.dir('client');

const COUNTER = `nsu=${SIM_NAMESPACE};s=Boiler.Counter`;

/** A server stopped after the test (whichever instance runs then). */
async function serverOn(pkiDir: string, options: Parameters<typeof startOpcuaServer>[0] | object = {}): Promise<OpcuaTestServer> {
  const server = await startOpcuaServer({ pkiDir, ...options });
  track.defer(() => server.stop());
  return server;
}

/** A pino logger (info) whose messages a test can read. */
const capturedLogger = (): CapturedLogs => captureLogs('info');

describe('the bridge across server restarts', () => {
  it('re-creates the session and items after a restart (its namespaces reordered): values resume, the gap is counted and logged, on_change drops the repeat', async () => {
    const pki = sharedServerPki;
    let server = await serverOn(pki);
    const { logger, messages } = capturedLogger();
    const { t } = await runSource(
      track,
      {
        endpoint: server.endpointUrl,
        pki: sharedClientPki,
        nodes: [
          { metric: 'counter.raw', node_id: COUNTER, sampling_interval_ms: 0 },
          { metric: 'counter', node_id: COUNTER, sampling_interval_ms: 0, on_change: true },
        ],
      },
      { logger },
    );
    await t.waitFor(() => pointsOf(t, 'counter').length === 1 && pointsOf(t, 'counter.raw').length === 1 && t.ready(), 'the first values');
    const port = server.port;
    await server.stop();
    await t.waitFor(() => !t.ready(), 'the loss reported');
    expect(Object.values(t.channels())[0]).toMatchObject({ state: 'disconnected', reason: expect.stringMatching(/connection lost/) });
    // It comes back with another namespace registered first: the nsu= node ids follow their URI.
    const index = server.namespaceIndex;
    server = await serverOn(pki, { port, namespacesBefore: ['urn:plant-a:other'] });
    expect(server.namespaceIndex).toBe(index + 1);
    await t.waitFor(() => t.ready(), 'connected again');
    // The re-created items send their current value: the same 0 as before the restart.
    await t.waitFor(() => pointsOf(t, 'counter.raw').length === 2, 'the re-created item\'s first value');
    server.set('Boiler.Counter', 12);
    await t.waitFor(() => pointsOf(t, 'counter').some((p) => p.value === 12) && pointsOf(t, 'counter.raw').some((p) => p.value === 12), 'values after the restart');
    expect(t.valuesOf('counter.raw')).toEqual([0, 0, 12]);
    expect(t.valuesOf('counter')).toEqual([0, 12]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'unchanged' })).toBe(1);
    expect(await t.metric('fieldbridge_opcua_reconnects_total', {})).toBe(1);
    expect(await t.metric('fieldbridge_opcua_gap_seconds_total', {})).toBeGreaterThan(0);
    expect(messages()).toContainEqual(
      expect.stringMatching(/reconnected after a gap of \S+ without data; server restarted at \d{4}-\d\d-\d\dT\S+Z; a new session and subscription \(the server no longer had them\), every monitored item created again: values that changed in the gap are lost/),
    );
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'connection_lost' })).toBe(1);
    expect(messages()).toContain('the server came back with its namespaces in another order; moving the monitored items to the new indexes');
    // One line for the loss; each failed attempt while the server was down is counted, not logged.
    const reports = t.problems.filter((p) => p.key === 'opcua.connection' && p.kind === 'report');
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'connect_failed' })).toBe(reports.length - 1);
  });

  it('trust tofu: refuses a server whose certificate changed, naming both thumbprints and the file to delete; deleting it accepts the new one', async () => {
    const serverPki = files.dir('tofu-server');
    const clientPki = files.dir('tofu-client');
    let server = await serverOn(serverPki);
    const first = server.thumbprint;
    const section = { endpoint: server.endpointUrl, pki: clientPki, trust: 'tofu', security: { mode: 'SignAndEncrypt' }, nodes: [{ metric: 'counter', node_id: COUNTER, sampling_interval_ms: 0 }] };
    const { t } = await runSource(track, section);
    await t.waitFor(() => t.ready() && pointsOf(t, 'counter').length > 0, 'connected to the first server');
    const port = server.port;
    await server.stop();
    server = await serverOn(serverPki, { port, newCertificate: true });
    expect(server.thumbprint).not.toBe(first);
    await t.waitFor(() => Object.values(t.channels())[0]?.state === 'failed', 'the changed certificate refused');
    const reason = Object.values(t.channels())[0]!.reason!;
    const pinned = join(clientPki, 'trusted', 'certs', readdirSync(join(clientPki, 'trusted', 'certs'))[0]!);
    expect(reason).toContain(`now shows certificate ${server.thumbprint}`);
    expect(reason).toContain(first);
    expect(reason).toContain(`delete '${pinned}'`);
    expect(t.problems.some((p) => p.key === 'opcua.connection.server_certificate_changed' && p.message?.includes(server.thumbprint))).toBe(true);

    // A bridge started now is refused the same way at its first connect.
    const again = await runSource(track, section);
    await again.t.waitFor(() => Object.values(again.t.channels())[0]?.state === 'failed', 'the first connect refused');
    expect(Object.values(again.t.channels())[0]!.reason).toContain(`delete '${pinned}'`);
    await again.source.stop();

    // The operator checked the new certificate and deletes the old one, as the message says.
    rmSync(pinned);
    await t.waitFor(() => t.ready(), 'connected with the new certificate');
    server.set('Boiler.Counter', 77);
    await t.waitFor(() => t.valuesOf('counter').includes(77), 'values from the server with the new certificate');
  });

  it('keeps one client certificate next to the spool, made on the first start and reused by the next, which a strict server trusts once', async () => {
    const server = await serverOn(sharedServerPki, { acceptUnknownClients: false });
    const spool = files.dir('spool');
    const section = { endpoint: server.endpointUrl, security: { mode: 'Sign' }, nodes: [{ metric: 'counter', node_id: COUNTER, sampling_interval_ms: 0 }] };
    const first = await runSource(track, section, { stateDir: spool });
    const certificateFile = join(spool, 'opcua-pki', 'own', 'certs', 'client_certificate.pem');
    await first.t.waitFor(() => Object.values(first.t.channels())[0]?.state === 'failed', 'the unknown client refused');
    expect(Object.values(first.t.channels())[0]!.reason).toContain(`refused this client's certificate ${certificateFile}`);
    const pem = readFileSync(certificateFile, 'latin1');
    const thumbprint = describeCertificate(pem).thumbprint;
    // The server's administrator trusts the certificate the message names; the next attempt gets in.
    await server.server.serverCertificateManager.trustCertificate(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    await first.t.waitFor(() => first.t.ready() && pointsOf(first.t, 'counter').length > 0, 'trusted and reading');
    await first.source.stop();

    const second = await runSource(track, section, { stateDir: spool });
    await second.t.waitFor(() => second.t.ready() && pointsOf(second.t, 'counter').length > 0, 'the restarted bridge reading at once');
    expect(second.t.states.filter((s) => s.state === 'failed')).toEqual([]);
    expect(readFileSync(certificateFile, 'latin1')).toBe(pem);
    expect(describeCertificate(readFileSync(certificateFile, 'latin1')).thumbprint).toBe(thumbprint);
  });
});

describe('flow control through the bridge', () => {
  it('while the spool is full, holds the publish acknowledgements so the server keeps the values (bounded by queue_size), then resumes', async () => {
    const server = await serverOn(sharedServerPki);
    const { t, source } = await runSource(track, { endpoint: server.endpointUrl, pki: sharedClientPki, publishing_interval_ms: 50, nodes: [{ metric: 'counter', node_id: COUNTER, sampling_interval_ms: 0, queue_size: 5 }] });
    await t.waitFor(() => pointsOf(t, 'counter').length > 0, 'the first value');
    const engine = () => server.server.engine.getSessions()[0]!.publishEngine;
    const queued = (): unknown[] => {
      const subscription = engine().subscriptions[0]!;
      const item = subscription.getMonitoredItem(subscription.getMonitoredItems().serverHandles[0]!)!;
      return (item.queue ?? []).map((q) => (q as unknown as { value: { value: { value: unknown } } }).value.value.value);
    };

    t.setBlocked(true);
    server.set('Boiler.Counter', 1);
    await t.waitFor(() => source.subscription()?.flow.held() === true, 'the hold');
    expect(await t.metric('fieldbridge_opcua_held', {})).toBe(1);
    // Publish requests already sent are answered; no new ones go out. Once the client has none
    // left in flight (its own count: the server's misses those still on the way), nothing more comes.
    const client = (source.connection()!.session as unknown as { getPublishEngine(): { nbPendingPublishRequests: number } }).getPublishEngine();
    let n = 100;
    await until(() => {
      server.set('Boiler.Counter', ++n);
      return client.nbPendingPublishRequests === 0;
    }, 'the client to run out of Publish requests');
    expect(engine().pendingPublishRequestCount).toBe(0);
    const received = t.points.length;
    for (let i = 1; i <= 8; i++) {
      server.set('Boiler.Counter', 1000 + i);
      await until(() => queued().at(-1) === 1000 + i, `value ${1000 + i} in the server's queue`);
    }
    expect(queued()).toEqual([1004, 1005, 1006, 1007, 1008]);
    expect(t.points.length).toBe(received);

    t.setBlocked(false);
    await t.waitFor(() => t.valuesOf('counter').includes(1008), 'the held values');
    expect(t.valuesOf('counter').slice(received)).toEqual([1004, 1005, 1006, 1007, 1008]);
    expect(source.subscription()?.flow.held()).toBe(false);
    expect(await t.metric('fieldbridge_opcua_held', {})).toBe(0);
    expect(await t.metric('fieldbridge_opcua_holds_total', {})).toBe(1);
    expect(await t.metric('fieldbridge_opcua_queue_overflows_total', {})).toBeGreaterThanOrEqual(1);
  });
});
