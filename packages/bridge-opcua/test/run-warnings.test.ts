import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startOpcuaServer, type OpcuaServerOptions } from '../src/server.js';
import { runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { pinoCapture } from './helpers/logger.js';
import { nsu, restartOn } from './helpers/servers.js';

// A bridge whose login the server refuses tries again every few hundred ms (as it would every
// 30 s through an outage): what holds for the whole run is warned about at its first attempt only.
const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

const WARN = 40;
const TRUST_ALWAYS = /^trust: always accepts any server certificate/;
const DEPRECATED = /^security policy Basic256 is deprecated/;
const UNCHECKED = /^accepting the server's certificate .* without checking it \(trust: always\)$/;

describe('warnings that hold for a whole run', () => {
  // Two server certificates and the client's are made: seconds each on a loaded machine.
  it('trust: always and a deprecated policy are warned about once per start; an unchecked certificate again only when it changes', { timeout: 90_000 }, async () => {
    const options: OpcuaServerOptions = { pkiDir: files.dir('server'), securityModes: ['Sign'], securityPolicies: ['Basic256'], users: { operator: 'right' } };
    let server = await startOpcuaServer(options);
    track.defer(() => server.stop());
    const { logger, lines } = pinoCapture();
    const { t } = await runSource(
      track,
      {
        endpoint: server.endpointUrl,
        pki: files.dir('client'),
        trust: 'always',
        security: { mode: 'Sign', policy: 'Basic256' },
        auth: { username: 'operator', password: 'wrong' },
        nodes: [{ metric: 'pressure', node_id: nsu('Boiler.Pressure') }],
      },
      { logger },
    );
    const refusedLogins = () => t.problems.filter((p) => p.kind === 'report' && p.key === 'opcua.connection.auth_failed').length;
    const warned = (pattern: RegExp) => lines.filter((l) => l.level === WARN && pattern.test(l.msg));
    await t.waitFor(() => refusedLogins() >= 3, 'three refused logins');
    expect(warned(TRUST_ALWAYS)).toHaveLength(1);
    expect(warned(DEPRECATED)).toHaveLength(1);
    expect(warned(UNCHECKED).map((l) => l.thumbprint)).toEqual([server.thumbprint]);
    // Still there for whoever reads the debug log, at each attempt.
    expect(lines.filter((l) => l.level < WARN && UNCHECKED.test(l.msg)).length).toBeGreaterThanOrEqual(2);

    // The server comes back with another certificate, which is accepted unchecked too: said once more.
    const first = server.thumbprint;
    const port = server.port;
    await server.stop();
    server = await restartOn(port, { ...options, newCertificate: true });
    const before = refusedLogins();
    // The second of these attempts began after the restart, so it checked the new certificate.
    await t.waitFor(() => refusedLogins() >= before + 2, 'logins refused by the restarted server');
    expect(warned(UNCHECKED).map((l) => l.thumbprint)).toEqual([first, server.thumbprint]);
    expect(warned(TRUST_ALWAYS)).toHaveLength(1);
    expect(warned(DEPRECATED)).toHaveLength(1);
  });
});
