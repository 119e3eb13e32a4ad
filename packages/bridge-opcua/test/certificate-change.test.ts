import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogs, trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startOpcuaServer } from '../src/server.js';
import { pointsOf, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { startProxy } from './helpers/proxy.js';
import { nsu, restartOn } from './helpers/servers.js';

// A server restarted with a new certificate under trust: tofu. node-opcua's own reconnection
// retries an attempt that fails at the server at once, without its backoff; the bridge must
// end that and try again under its `reconnect` backoff, report the refusal once and count it.
const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

const REFUSAL = 'opcua.connection.server_certificate_changed';
/** Refused attempts the test waits for. */
const ATTEMPTS = 4;
/**
 * TCP connections one attempt of the bridge opens at most: the discovery, the channel, and the
 * temporary client node-opcua uses to fetch a server's certificate; a margin on top.
 */
const CONNECTIONS_PER_ATTEMPT = 4;
/** More connections than ATTEMPTS attempts can open: reaching it first means attempts that are not the bridge's own. */
const SPINNING = 3 * CONNECTIONS_PER_ATTEMPT * (ATTEMPTS + 1);

describe('a server whose certificate changed (trust: tofu)', () => {
  // Three certificates are made (two of the server's, the client's): seconds each on a loaded machine.
  it('is retried under the reconnect backoff, reported once, counted, and accepted once the pinned file is deleted', { timeout: 90_000 }, async () => {
    const serverPki = files.dir('server');
    const clientPki = files.dir('client');
    let server = await startOpcuaServer({ pkiDir: serverPki });
    track.defer(() => server.stop());
    const proxy = await startProxy(server.port);
    track.defer(() => proxy.close());
    const { logger, lines: logged } = captureLogs('debug');
    const lines = logged();
    const { t } = await runSource(
      track,
      { endpoint: proxy.url, pki: clientPki, trust: 'tofu', security: { mode: 'SignAndEncrypt' }, nodes: [{ metric: 'counter', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0 }] },
      { logger },
    );
    await t.waitFor(() => t.ready() && pointsOf(t, 'counter').length > 0, 'connected to the first server');

    const port = server.port;
    await server.stop();
    await t.waitFor(() => !t.ready(), 'the loss noticed');
    server = await restartOn(port, { pkiDir: serverPki, newCertificate: true });
    const before = proxy.accepted();
    const refusals = () => t.problems.filter((p) => p.kind === 'report' && p.key === REFUSAL);
    // Every refused attempt is reported (logged or counted), so this is checked at each one.
    await t.waitFor(() => refusals().length >= ATTEMPTS || proxy.accepted() - before >= SPINNING, `${ATTEMPTS} refused attempts`);
    const connections = proxy.accepted() - before;
    const attempts = refusals().length;
    // Each connection belongs to an attempt of the bridge's own, which its backoff paces.
    expect(connections, `${connections} connections for ${attempts} refused attempts`).toBeLessThanOrEqual(CONNECTIONS_PER_ATTEMPT * (attempts + 1));
    expect(attempts).toBeGreaterThanOrEqual(ATTEMPTS);

    // Reported once with what to do, counted at every attempt, and the channel failed with it.
    const pinned = join(clientPki, 'trusted', 'certs', readdirSync(join(clientPki, 'trusted', 'certs'))[0]!);
    expect(refusals().filter((p) => p.logged)).toHaveLength(1);
    expect(refusals()[0]!.message).toContain(`now shows certificate ${server.thumbprint}`);
    expect(refusals()[0]!.message).toContain(`delete '${pinned}'`);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'server_certificate_changed' })).toBe(refusals().length);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'connection_lost' })).toBe(1);
    expect(t.channels()[proxy.url]).toMatchObject({ state: 'failed', reason: expect.stringContaining(`delete '${pinned}'`) });
    // Neither the trust check nor node-opcua logs at warn or error for each attempt.
    const loud = lines.filter((l) => l.level >= 40);
    expect(loud.filter((l) => /now shows certificate|Cannot decrypt|server certificate/.test(l.msg)), JSON.stringify(loud)).toEqual([]);

    // The operator checked the new certificate and deletes the old one, as the message says.
    rmSync(pinned);
    await t.waitFor(() => t.ready(), 'connected with the new certificate');
    server.set('Boiler.Counter', 4711);
    await t.waitFor(() => t.valuesOf('counter').includes(4711), 'values from the server with the new certificate');
    expect(await t.metric('fieldbridge_opcua_reconnects_total', {})).toBe(1);
    expect(lines.some((l) => /connected again after a gap of \S+ without data, with a new session and subscription/.test(l.msg))).toBe(true);
  });
});
