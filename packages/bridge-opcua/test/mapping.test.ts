import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals, expectSchemaInSync } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { checkOpcua } from '../src/check.js';
import { opcuaConfigSchema, QUALITY_RULES, SECURITY_MODE_NAMES, SECURITY_POLICY_NAMES, TIMESTAMP_NAMES, TRUST_MODE_NAMES, type OpcuaConfig } from '../src/config.js';
import { connectOptionsOf, pkiDir, usedPkiDir } from '../src/connect-options.js';
import { describeOpcua } from '../src/describe.js';
import { parseEndpoint } from '../src/endpoint.js';
import { planOpcua } from '../src/plan.js';
import { TIMESTAMP_MODES } from '../src/records.js';
import { CURRENT_POLICIES, DEPRECATED_POLICIES, SECURITY_MODES } from '../src/security.js';
import { TRUST_MODES } from '../src/trust.js';

const example = fileURLToPath(new URL('../../../examples/opcua/map.yaml', import.meta.url));
const section = (text: string): OpcuaConfig => parseMapping(`source_id: t\nopcua:\n${text}`, 'test.yaml', opcuaBridge, {}).opcua as OpcuaConfig;

describeRefusals(opcuaBridge, new URL('./fixtures/bad/', import.meta.url), [
  ['unknown-key.yaml', 4, 3, 'opcua.publishing_interval', /unknown key/],
  ['bad-endpoint.yaml', 3, 13, 'opcua.endpoint', /must start with opc\.tcp:\/\//],
  ['bad-node-id.yaml', 6, 43, 'opcua.nodes[1].node_id', /identifier must start with i=, s=, g= or b=/],
  ['both-locations.yaml', 7, 20, 'opcua.nodes[0].browse_path', /give either node_id or browse_path, not both/],
  ['bad-browse-path.yaml', 5, 46, 'opcua.folders[0].browse_path', /has an empty step 2/],
  ['unknown-placeholder.yaml', 5, 17, 'opcua.folders[0].metric', /unknown placeholder \{folder\}; use \{path\}, \{path\.N\}, \{name\}/],
  ['placeholder-needs-path.yaml', 5, 17, 'opcua.nodes[0].metric', /\{name\} needs browse_path/],
  ['deadband-percent.yaml', 7, 17, 'opcua.nodes[0].deadband', /percent deadband of 150% is above 100%/],
  ['user-without-password.yaml', 6, 15, 'opcua.auth.username', /needs a password: write password: \$\{OPCUA_PASSWORD\}/],
  ['interval-too-short.yaml', 4, 27, 'opcua.publishing_interval_ms', /at least 10ms \(range 10ms\.\.1h\)/],
  ['rescan-too-often.yaml', 5, 63, 'opcua.folders[0].rescan_s', /must be 0 \(never browsed again\) or at least 100ms/],
  ['bad-trust.yaml', 4, 10, 'opcua.trust', /trust must be one of strict, tofu, always/],
  ['bad-event-field.yaml', 6, 15, 'opcua.events[0].fields', /"Active\.\.State" is not an event field/],
  ['event-template-field.yaml', 5, 15, 'opcua.events[0].metric', /reads SourceName: add it to fields/],
  ['policy-without-security.yaml', 4, 35, 'opcua.security.policy', /mode None uses no policy/],
  ['nothing-to-monitor.yaml', 4, 10, 'opcua.nodes', /nothing to monitor/],
  ['nodes-not-a-list.yaml', 5, 5, 'opcua.nodes', /^nodes is a list: write each entry on a line of its own that starts with "- ", e\.g\. - \{ metric: boiler\.temperature, node_id: 'ns=2;s=Boiler\.Temperature' \}$/],
  ['node-tags-crowd.yaml', 6, 88, 'opcua.nodes[0].tags', /^its points would carry 17 tags, .*: the file's 12 \(tags:\), 2 given here, unit, quality and status \(added by the opcua bridge\)/],
]);

describe("a node written as Telegraf's opcua input writes it", () => {
  it('is answered with our keys: name is metric; namespace, identifier_type and identifier are one node_id', () => {
    const file = fileURLToPath(new URL('./fixtures/bad/telegraf-keys.yaml', import.meta.url));
    const refusal = (() => {
      try {
        parseMapping(readFileSync(file, 'utf8'), 'telegraf-keys.yaml', opcuaBridge, {});
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    })();
    expect(refusal.split('\n')).toEqual([
      'telegraf-keys.yaml:6:7 opcua.nodes[0].metric: required key is missing',
      'telegraf-keys.yaml:6:9 opcua.nodes[0].name: unknown key (did you mean metric?)',
      'telegraf-keys.yaml:6:35 opcua.nodes[0].namespace: unknown key (did you mean node_id?)',
      'telegraf-keys.yaml:6:49 opcua.nodes[0].identifier_type: unknown key (did you mean node_id?)',
      'telegraf-keys.yaml:6:69 opcua.nodes[0].identifier: unknown key (did you mean node_id?)',
    ]);
  });
});

describe('schema.json', () => {
  it('matches the config schema; run `pnpm schema` after changing it', () => {
    expectSchemaInSync(opcuaBridge, new URL('../schema.json', import.meta.url));
  });
});

describe('the opcua: section', () => {
  it('names the same modes, policies, trust modes and timestamps as the protocol layer', () => {
    expect([...SECURITY_MODE_NAMES]).toEqual([...SECURITY_MODES]);
    expect([...SECURITY_POLICY_NAMES]).toEqual([...CURRENT_POLICIES, ...DEPRECATED_POLICIES]);
    expect([...TRUST_MODE_NAMES]).toEqual([...TRUST_MODES]);
    expect([...TIMESTAMP_NAMES]).toEqual([...TIMESTAMP_MODES]);
    expect([...QUALITY_RULES]).toEqual(['tag', 'drop']);
  });

  it('reads endpoints with their default port and refuses credentials in them', () => {
    expect(parseEndpoint('opc.tcp://plc1')).toEqual({ ok: true, endpoint: { host: 'plc1', port: 4840, path: '', url: 'opc.tcp://plc1:4840' } });
    expect(parseEndpoint('opc.tcp://10.0.0.5:48010/UA/Server')).toMatchObject({ ok: true, endpoint: { port: 48010, path: '/UA/Server' } });
    expect(parseEndpoint('opc.tcp://op:secret@plc1:4840')).toMatchObject({ ok: false, message: expect.stringMatching(/not in the endpoint/) });
    // `opc.tcp://plc1:${PORT}` with PORT unset: refused, not read as 4840.
    expect(parseEndpoint('opc.tcp://plc1:/UA')).toMatchObject({ ok: false, message: expect.stringMatching(/empty port after ":" .*the default 4840/) });
  });

  it('turns durations, deadbands, filters and keys into the plan', () => {
    const config = section(`  endpoint: opc.tcp://plc1:4840
  publishing_interval_ms: 250ms
  max_rate_hz: 4
  nodes:
    - { metric: a, node_id: 'ns=2;s=A', deadband: 0.5, sampling_interval_ms: 2s, queue_size: 3, timestamp: server }
    - { metric: a, browse_path: B/C, deadband: '12.5%', on_change: true, max_rate_hz: 10, unit: bar, tags: { k: v } }
    - { metric: 'b.{path}.{path.0}', browse_path: B/C }
  folders:
    - { metric: 'line.{path}', browse_path: Line1, quality: drop }
  events:
    - { metric: alarms, where: { min_severity: 500 } }`);
    const planned = planOpcua(config);
    if (!planned.ok) throw new Error(JSON.stringify(planned.issues));
    const { plan } = planned;
    expect(plan.variables).toEqual([
      { key: 'a', nodeId: 'ns=2;s=A', samplingIntervalMs: 2000, queueSize: 3, deadband: { type: 'absolute', value: 0.5 }, timestamps: 'server' },
      { key: 'a (nodes[1])', browsePath: 'B/C', deadband: { type: 'percent', value: 12.5 }, timestamps: 'source' },
      { key: 'b.{path}.{path.0}', browsePath: 'B/C', timestamps: 'source' },
    ]);
    expect(plan.folders).toEqual([{ key: 'line.{path}', browsePath: 'Line1', timestamps: 'source', maxDepth: 5, maxItems: 1000, rescanMs: 300_000 }]);
    expect(plan.events).toEqual([{ key: 'alarms', nodeId: 'i=2253', minSeverity: 500, timestamps: 'source' }]);
    expect(plan.routes.get('a')).toMatchObject({ metric: 'a', tags: undefined, quality: 'tag', filter: { minIntervalMs: 250 } });
    expect(plan.routes.get('a (nodes[1])')).toMatchObject({ entry: 'nodes[1]', tags: { k: 'v', unit: 'bar' }, filter: { minIntervalMs: 100, onChange: true } });
    expect(plan.routes.get('b.{path}.{path.0}')).toMatchObject({ metric: 'b.B.C.B' });
    expect(plan.routes.get('line.{path}')).toMatchObject({ quality: 'drop', template: { source: 'line.{path}' } });
  });

  it('keeps the certificate next to the spool unless told where', () => {
    expect(pkiDir({}, 'spool')).toBe('spool/opcua-pki');
    expect(pkiDir({}, undefined)).toBe('fieldbridge-opcua-pki');
    expect(pkiDir({ pki: '/etc/pki' }, 'spool')).toBe('/etc/pki');
    // Security None checks no certificate: none is kept unless a folder is named.
    expect(usedPkiDir({}, 'spool')).toBeUndefined();
    expect(usedPkiDir({ security: { mode: 'None' } }, undefined)).toBeUndefined();
    expect(usedPkiDir({ security: { mode: 'None' }, pki: '/etc/pki' }, 'spool')).toBe('/etc/pki');
    expect(usedPkiDir({ security: { mode: 'SignAndEncrypt' } }, undefined)).toBe('fieldbridge-opcua-pki');
    expect(connectOptionsOf(section(`  endpoint: opc.tcp://plc1\n  nodes: [{ metric: a, node_id: 'i=2258' }]`), console, 'spool', Date.now).pki).toEqual({ dir: undefined, trust: 'tofu' });
    const config = section(`  endpoint: opc.tcp://plc1
  security: { mode: Sign, policy: Basic256 }
  auth: { username: op, password: pw }
  reconnect: { initial_ms: 200ms, max_ms: 5s }
  nodes: [{ metric: a, node_id: 'i=2258' }]`);
    expect(connectOptionsOf(config, console, 'spool', Date.now)).toMatchObject({
      endpointUrl: 'opc.tcp://plc1:4840',
      security: { mode: 'Sign', policy: 'Basic256' },
      auth: { kind: 'username', username: 'op', password: 'pw' },
      pki: { dir: 'spool/opcua-pki', trust: 'tofu' },
      reconnectDelayMs: { initial: 200, max: 5000 },
    });
  });

  it('refuses tags that leave no room for quality and status', () => {
    const tags = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`t${i}`, 'x']));
    const config = opcuaConfigSchema.parse({ endpoint: 'opc.tcp://plc1', nodes: [{ metric: 'a', node_id: 'i=2258', unit: 's', tags }] });
    expect(checkOpcua(config)).toEqual([{ path: ['nodes', 0, 'tags'], message: expect.stringMatching(/15 tags \(unit included\) and quality and status make more than 16/) }]);
    expect(checkOpcua({ ...config, quality: 'drop' })).toEqual([]);
  });

  it('refuses two nodes under one metric name and the same tags, at the later one', () => {
    const config = opcuaConfigSchema.parse({
      endpoint: 'opc.tcp://plc1',
      nodes: [
        { metric: 'speed', node_id: 'ns=2;s=Motor1.Speed' },
        { metric: 'speed', node_id: 'ns=2;s=Motor2.Speed', tags: { motor: '2' } },
        { metric: 'speed', node_id: 'ns=2;s=Motor3.Speed', unit: 'rpm' },
        { metric: 'speed', node_id: 'ns=2;s=Motor4.Speed' },
      ],
    });
    expect(checkOpcua(config)).toEqual([{ path: ['nodes', 3, 'metric'], message: '"speed" is already the metric of nodes[0] with the same tags: the two values would mix in one series; give one another name or a tag' }]);
  });

  it('warns at a browse path written from the root, with the path to write', () => {
    const config = opcuaConfigSchema.parse({
      endpoint: 'opc.tcp://plc1',
      nodes: [
        { metric: 'a', browse_path: 'Objects/Boiler/Temperature' },
        { metric: 'b', browse_path: '/Root/Objects/2:Boiler/Pressure' },
        { metric: 'c', browse_path: 'Boiler/Objects' },
        { metric: 'd', browse_path: '3:Objects/Boiler' },
      ],
      folders: [{ metric: 'f.{path}', browse_path: 'Objects' }],
      events: [{ metric: 'e', browse_path: 'Objects/Boiler' }],
    });
    expect(checkOpcua(config)).toEqual([
      { path: ['nodes', 0, 'browse_path'], warning: true, message: 'a browse path starts below the Objects folder: write Boiler/Temperature; keep Objects/Boiler/Temperature only if the server has an object named Objects inside Objects' },
      { path: ['nodes', 1, 'browse_path'], warning: true, message: expect.stringMatching(/^a browse path starts below the Objects folder: write 2:Boiler\/Pressure; keep/) },
      { path: ['events', 0, 'browse_path'], warning: true, message: expect.stringMatching(/write Boiler; keep Objects\/Boiler only if/) },
    ]);
  });

  it('refuses an X.509 identity whose files are missing, and a login with both kinds', () => {
    const config = section(`  endpoint: opc.tcp://plc1\n  nodes: [{ metric: a, node_id: 'i=2258' }]`);
    expect(checkOpcua({ ...config, auth: { certificate: '/nonexistent/user.pem', private_key: '/nonexistent/user.key' } }).map((i) => i.path.join('.'))).toEqual(['auth.certificate', 'auth.private_key']);
    expect(checkOpcua({ ...config, auth: { username: 'op', password: 'x', certificate: 'c' } })).toEqual([{ path: ['auth', 'certificate'], message: expect.stringMatching(/either with username and password or with certificate/) }]);
  });
});

describe('--check of folders', () => {
  it('says how often each folder is browsed again', () => {
    const config = opcuaConfigSchema.parse({
      endpoint: 'opc.tcp://plc1',
      rescan_s: 30,
      folders: [
        { metric: 'a.{path}', browse_path: 'LineA' },
        { metric: 'b.{path}', browse_path: 'LineB', rescan_s: 0 },
        { metric: 'c.{path}', browse_path: 'LineC', rescan_s: '2m' },
      ],
    });
    expect(describeOpcua(config).slice(1).map((l) => /variables, ([^;]+);/.exec(l)?.[1])).toEqual(['browsed again every 30s', 'browsed only when subscribing', 'browsed again every 2m']);
    expect(describeOpcua(opcuaConfigSchema.parse({ endpoint: 'opc.tcp://plc1', folders: [{ metric: 'a.{path}', browse_path: 'LineA' }] }))[1]).toContain('browsed again every 5m;');
  });
});

describe('examples/opcua/map.yaml', () => {
  it('loads, with the environment filling the endpoint, and --check describes it without the password', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, opcuaBridge, { OPCUA_PORT: '48400', OPCUA_PASSWORD: 'hunter2' });
    const opcua = config.opcua as OpcuaConfig;
    expect(opcua.endpoint).toBe('opc.tcp://127.0.0.1:48400');
    const lines = describeOpcua(opcua);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines[0]).toBe(
      'opc.tcp://127.0.0.1:48400: security SignAndEncrypt/the strongest current policy offered, login user "operator" with a password, certificate in opcua-pki/ in sink.buffer.path (else ./fieldbridge-opcua-pki), server trust tofu, publishing every 1s',
    );
    expect(lines.slice(1).map((l) => l.trim().split(' <- ')[0])).toEqual([
      'boiler.temperature',
      'boiler.temperature.banded',
      'boiler.Pressure',
      'boiler.running',
      'boiler.counter',
      'sim.array',
      'sim.int64',
      'line1.{path}',
      'boiler.alarms',
    ]);
  });
});
