import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBridgeCli } from '@fieldbridge/core/cli';
import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { opcuaBridge } from '../src/bridge.js';
import { checkOpcua } from '../src/check.js';
import { opcuaConfigSchema } from '../src/config.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { createCleanup } from './helpers/cleanup.js';
import { runBridgeCommand } from '@fieldbridge/core/testing';

// The `bridge-opcua` command against a node-opcua server on a port the OS picks: in-process
// through runBridgeCli (what cli.ts calls) with captured streams, and once as a process of its
// own to show that stdout carries only the points.
const files = createCleanup();
const track = trackCleanups();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const PASSWORD = 'cli-secret-pw';
let server: OpcuaTestServer;
let clientPki: string;

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: files.dir('server'), users: { operator: PASSWORD } });
  files.add(() => server.stop());
  clientPki = files.dir('client');
});
afterAll(() => files.run());

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('bridge-opcua is not built: run `pnpm --filter @fieldbridge/bridge-opcua build` (turbo runs it before test)');
  }
});

const mapping = (endpoint = server.endpointUrl, extra = '') => `source_id: cli-test
opcua:
  endpoint: ${endpoint}
  pki: ${clientPki}
  security: { mode: SignAndEncrypt }
  auth: { username: operator, password: '\${OPCUA_PASSWORD}' }
  connect_timeout_ms: 2s
  publishing_interval_ms: 50ms
${extra}  nodes:
    - { metric: boiler.pressure, node_id: 'nsu=${SIM_NAMESPACE};s=Boiler.Pressure' }
    - { metric: 'boiler.{name}', browse_path: Boiler/Counter }
`;

async function cli(args: string[], text = mapping()): Promise<{ code: number; out: string; err: string }> {
  const file = await writeTempFile(track, 'map.yaml', text);
  return runBridgeCommand(opcuaBridge, ['--config', file, ...args], { OPCUA_PASSWORD: PASSWORD });
}

describe('bridge-opcua', () => {
  it('--check prints what would be monitored, the login by name and never the password', async () => {
    const { code, out } = await cli(['--check']);
    expect(code).toBe(0);
    expect(out).toContain(`${server.endpointUrl}: security SignAndEncrypt/the strongest current policy offered, login user "operator" with a password, certificate in ${clientPki}`);
    expect(out).toContain(`boiler.Counter <- Objects/Boiler/Counter`);
    expect(out).not.toContain(PASSWORD);
  });

  it('--check names the PKI folder it would use: opcua-pki/ in the spool\'s folder, else ./fieldbridge-opcua-pki', async () => {
    const spool = files.dir('spool');
    const withoutPki = mapping().replace(`  pki: ${clientPki}\n`, '');
    const durable = await cli(['--check'], withoutPki.replace('opcua:\n', `sink:\n  url: stdout\n  buffer: { path: ${spool} }\nopcua:\n`));
    expect(durable.code, durable.err).toBe(0);
    expect(durable.out).toContain(`certificate in ${join(spool, 'opcua-pki')}, server trust tofu`);
    const memory = await cli(['--check'], withoutPki);
    expect(memory.code, memory.err).toBe(0);
    expect(memory.out).toContain('certificate in ./fieldbridge-opcua-pki, server trust tofu');
    const none = await cli(['--check'], withoutPki.replace('  security: { mode: SignAndEncrypt }\n', ''));
    expect(none.code, none.err).toBe(0);
    expect(none.out).toContain('login user "operator" with a password, certificate made in memory (security None: no PKI folder), server certificate not checked (security None),');
  });

  it('with security None, runs in a folder it cannot write to and leaves no PKI folder there or in HOME', { timeout: 60_000 }, async () => {
    const work = files.dir('cwd');
    const home = files.dir('home');
    const file = join(files.dir('map'), 'map.yaml');
    writeFileSync(file, `source_id: none-test\nsink: { url: stdout }\nopcua:\n  endpoint: ${server.endpointUrl}\n  nodes:\n    - { metric: boiler.pressure, node_id: 'nsu=${SIM_NAMESPACE};s=Boiler.Pressure' }\n`);
    // Read-only for anyone but root, who writes anyway: the empty folder afterwards is what shows it.
    chmodSync(work, 0o555);
    const child = spawn(process.execPath, [BIN, '--config', file, '--once'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    chmodSync(work, 0o755);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('"metric":"boiler.pressure"');
    expect(stderr).toMatch(/connected \(None\/None\)/);
    expect(readdirSync(work)).toEqual([]);
    expect(readdirSync(home)).toEqual([]);
  });

  it('--help states the default --once wait bridge-opcua really uses', async () => {
    const help = await runBridgeCommand(opcuaBridge, ['--help'], {});
    expect(help.code).toBe(0);
    expect(help.out.replace(/\s+/g, ' ')).toContain('(e.g. 30s; default 32s with the default timeouts: 10s plus twice connect_timeout_ms and publishing_interval_ms)');
    expect(opcuaBridge.onceTimeoutMs?.(opcuaConfigSchema.parse({ endpoint: 'opc.tcp://h', nodes: [{ metric: 'a', node_id: 'i=1' }] }))).toBe(32_000);
  });

  it('--browse prints the address space below a node with namespace URIs, types, access and values', async () => {
    const { code, out } = await cli(['--browse', 'Boiler']);
    expect(code).toBe(0);
    expect(out).toContain(`  ${server.namespaceIndex}  ${SIM_NAMESPACE}`);
    expect(out).toMatch(new RegExp(`Pressure  \\[Variable, Double, read\\+write\\]  nsu=${SIM_NAMESPACE};s=Boiler\\.Pressure  = 1\\.013`));
    expect(out).toMatch(/Counter {2}\[Variable, UInt32, read\+write\]/);
  });

  it('--browse NODE --emit-mapping prints nodes: entries that a mapping takes as they are', async () => {
    const { code, out } = await cli(['--browse', 'Line1', '--emit-mapping', '--depth', '2']);
    expect(code).toBe(0);
    const nodes = (parse(out) as { nodes: unknown[] }).nodes;
    expect(nodes).toHaveLength(6);
    expect(nodes[0]).toEqual({ metric: 'line1.motor1.speed', node_id: `nsu=${SIM_NAMESPACE};s=Line1.Motor1.Speed` });
    const section = opcuaConfigSchema.parse({ endpoint: server.endpointUrl, nodes });
    expect(checkOpcua(section)).toEqual([]);
  });

  it('--browse works before the mapping names anything to monitor; its nodes: pasted in, the file runs', async () => {
    const bare = mapping().split('  nodes:')[0]!;
    const refused = await cli(['--check'], bare);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/map\.yaml:3:3 opcua: nothing to monitor: give nodes, folders or events \(bridge-opcua --browse lists what the server has\)/);
    const browsed = await cli(['--browse', 'Boiler', '--emit-mapping'], bare);
    expect(browsed.code, browsed.err).toBe(0);
    expect(browsed.out).toContain('node_id: nsu=urn:fieldbridge:opcua-sim;s=Boiler.Pressure\n');
    // Pasted under opcua: as printed, indented one level.
    const pasted = await cli(['--check'], bare + browsed.out.replace(/^(?=.)/gm, '  '));
    expect(pasted.code, pasted.err).toBe(0);
    expect(pasted.out).toContain(`pressure <- nsu=${SIM_NAMESPACE};s=Boiler.Pressure`);
  });

  it('--browse names what is wrong: an unknown start node (exit 2), an unreachable server (exit 1), a stray --emit-mapping (exit 2)', async () => {
    const unknown = await cli(['--browse', 'Nowhere/Near']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/browse path Nowhere\/Near: Objects has no child named Nowhere/);
    const missing = await cli(['--browse', `ns=${server.namespaceIndex};s=Nope`]);
    expect(missing.code, missing.out).toBe(2);
    // The command's prefix once: the library's message does not carry it too.
    expect(missing.err).toContain(`bridge-opcua --browse: node ns=${server.namespaceIndex};s=Nope does not exist on the server (BadNodeIdUnknown)\n`);
    expect(unknown.err).toMatch(/^bridge-opcua --browse: browse path Nowhere\/Near: Objects has no child named Nowhere/m);
    expect(missing.out).toBe('');
    const down = await cli(['--browse'], mapping('opc.tcp://127.0.0.1:1'));
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/connection refused/);
    for (const err of [unknown.err, missing.err, down.err]) expect(err).not.toContain('--browse: --browse');
    const stray = await cli(['--emit-mapping']);
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/go with --browse/);
  });

  it('--dry-run --once as a process: stdout carries only the points as NDJSON, logs go to stderr', { timeout: 60_000 }, async () => {
    const file = await writeTempFile(track, 'map.yaml', mapping());
    const child = spawn(
      process.execPath,
      ['--conditions', 'source', '--import', 'tsx', '-e', "import('./src/cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })", '--', '--config', file, '--dry-run', '--once'],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPCUA_PASSWORD: PASSWORD } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const points = stdout.trim().split('\n').map((line) => JSON.parse(line) as { metric: string; source_id: string });
    expect(new Set(points.map((p) => p.metric))).toEqual(new Set(['boiler.pressure', 'boiler.Counter']));
    expect(points.every((p) => p.source_id === 'cli-test')).toBe(true);
    expect(stderr).toMatch(/connected \(SignAndEncrypt\//);
    expect(stderr).not.toContain(PASSWORD);
  });
});
