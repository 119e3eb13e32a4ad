import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMapping, startBridge } from '@fieldbridge/core';
import { createCollectingSink, trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { pinoCapture } from './helpers/logger.js';

const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

describe('a server whose certificate trust: strict refuses', () => {
  let server: OpcuaTestServer;
  beforeAll(async () => {
    server = await startOpcuaServer({ pkiDir: files.dir('server') });
    files.add(() => server.stop());
  });

  it('is told once in the log, whole (thumbprint, the file to move, what to do); the state line says the channel failed, in a few words', async () => {
    const pki = files.dir('client');
    const section = { endpoint: server.endpointUrl, pki, trust: 'strict', security: { mode: 'SignAndEncrypt' }, nodes: [{ metric: 'counter', node_id: `nsu=${SIM_NAMESPACE};s=Boiler.Counter`, sampling_interval_ms: 0 }] };
    const { t } = await runSource(track, section);
    await t.waitFor(() => t.problems.some((p) => p.key === 'opcua.connection.server_certificate_untrusted' && p.logged), 'the refusal reported');

    const rejected = readdirSync(join(pki, 'rejected')).find((f) => f.includes(server.thumbprint))!;
    const told = t.logs.messages('info').filter((m) => m.includes(server.thumbprint));
    expect(told, JSON.stringify(t.logs.messages('info'))).toHaveLength(1);
    expect(told[0]).toContain(`move '${join(pki, 'rejected', rejected)}' into ${join(pki, 'trusted', 'certs')}/`);
    expect(told[0]).toContain('or set trust: tofu');
    // A run tries again (the trust folders are read at every attempt): it says when.
    expect(told[0]).toMatch(/; next attempt in \S+ \(further occurrences are counted/);
    expect(t.logs.messages('warn')).toContain(told[0]);
    expect(t.logs.messages('info')).toContain(`${server.endpointUrl}: failed (the server's certificate is not trusted)`);
    // The channel still names the whole refusal, as --once and /readyz say it.
    expect(t.channels()[server.endpointUrl]).toMatchObject({ state: 'failed', reason: expect.stringContaining(server.thumbprint) });
  });

  it('ends a --once with a short line that names the refusal, not its whole story again', async () => {
    const { sink } = createCollectingSink({ sourceId: 'once' });
    track.defer(() => sink.close());
    const { logger, lines } = pinoCapture('info');
    const text = `source_id: once
opcua:
  endpoint: ${server.endpointUrl}
  pki: ${files.dir('once-client')}
  trust: strict
  security: { mode: SignAndEncrypt }
  nodes:
    - { metric: counter, node_id: 'nsu=${SIM_NAMESPACE};s=Boiler.Counter' }
`;
    const running = track.add(await startBridge(opcuaBridge, parseMapping(text, 'once.yaml', opcuaBridge, {}), { sink, logger, deferStart: true }), (r) => r.stop());
    const err = await running.once(60_000).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/because every required channel failed \(opc\.tcp:\/\/[^ ]+ failed: the server's certificate is not trusted\); see the log for why$/);
    // The whole story (thumbprint, the file to move) is in the log once, in the refusal's warning.
    const told = lines.filter((l) => l.msg.includes(server.thumbprint));
    expect(told).toHaveLength(1);
    // --once stops at the refusal: no next attempt is announced.
    expect(told[0]!.msg).not.toContain('next attempt');
    // Nothing follows it: the line does not say that further occurrences are counted.
    expect(told[0]!.msg).toMatch(/, or set trust: tofu; not tried again: --once stops here$/);
  });
});
