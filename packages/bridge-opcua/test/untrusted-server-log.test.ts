import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SIM_NAMESPACE, startOpcuaServer } from '../src/server.js';
import { runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';

const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

describe('a server whose certificate trust: strict refuses', () => {
  it('is told once in the log, whole (thumbprint, the file to move, what to do); the state line says the channel failed, in a few words', async () => {
    const server = await startOpcuaServer({ pkiDir: files.dir('server') });
    track.defer(() => server.stop());
    const pki = files.dir('client');
    const section = { endpoint: server.endpointUrl, pki, trust: 'strict', security: { mode: 'SignAndEncrypt' }, nodes: [{ metric: 'counter', node_id: `nsu=${SIM_NAMESPACE};s=Boiler.Counter`, sampling_interval_ms: 0 }] };
    const { t } = await runSource(track, section);
    await t.waitFor(() => t.problems.some((p) => p.key === 'opcua.connection.server_certificate_untrusted' && p.logged), 'the refusal reported');

    const rejected = readdirSync(join(pki, 'rejected')).find((f) => f.includes(server.thumbprint))!;
    const told = t.logs.messages('info').filter((m) => m.includes(server.thumbprint));
    expect(told, JSON.stringify(t.logs.messages('info'))).toHaveLength(1);
    expect(told[0]).toContain(`move '${join(pki, 'rejected', rejected)}' into ${join(pki, 'trusted', 'certs')}/`);
    expect(told[0]).toContain('or set trust: tofu');
    expect(t.logs.messages('warn')).toContain(told[0]);
    expect(t.logs.messages('info')).toContain(`${server.endpointUrl}: failed (the server's certificate is not trusted)`);
    // The channel still names the whole refusal, as --once and /readyz say it.
    expect(t.channels()[server.endpointUrl]).toMatchObject({ state: 'failed', reason: expect.stringContaining(server.thumbprint) });
  });
});
