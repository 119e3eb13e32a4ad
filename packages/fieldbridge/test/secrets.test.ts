import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMavlinkSimulator } from '@fieldbridge/bridge-mavlink';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { startOpcuaServer } from '@fieldbridge/bridge-opcua';
import { startCommand, trackCleanups, until, writeTempFile } from '@fieldbridge/core/testing';
import mqtt from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';

// Secrets never leak: every secret-bearing key and URL gets a distinctive value, and what the
// commands write (stdout, stderr, the state directory, the observe endpoints) must hold none.

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const BLE_RECORDING = fileURLToPath(new URL('../../../examples/ble/sensors.ndjson', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build`');
});

const secret = (what: string): string => `S3CR3T-${what}-${randomBytes(6).toString('hex')}`;

/** Every secret of a run, by where it was written. */
type Secrets = Record<string, string>;

function expectNoSecret(text: string, secrets: Secrets, where: string): void {
  for (const [key, value] of Object.entries(secrets)) {
    const line = text.split('\n').find((l) => l.includes(value));
    expect(line, `${where} holds ${key}`).toBeUndefined();
  }
}

/** The text of every file below `dir` (the spool, its metadata, the dead-letter file). */
function filesBelow(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? filesBelow(path) : `${path}\n${readFileSync(path).toString('latin1')}`))
    .join('\n');
}

/** A receiver that answers every request with `status` and echoes the request back: its URL and headers. */
async function echoingReceiver(status: number): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(`refused ${req.url} ${JSON.stringify(req.headers)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track.defer(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `base` with a user and password and a `?token=`: credentials a receiver might echo. */
const withCredentials = (base: string, s: Secrets): string => base.replace('://', `://ingest-user:${s.urlPassword}@`) + `/ingest?token=${s.urlToken}`;

describe('secrets never leak', () => {
  it('check and a dry run of every bridge, against real peers, print none of the secrets of the mapping or the proxy', async () => {
    const s: Secrets = { apiKey: secret('api-key'), urlPassword: secret('url-password'), urlToken: secret('url-token'), signing: secret('signing-secret'), mqttPassword: secret('mqtt-password'), opcuaPassword: secret('opcua-password'), mavlinkPassphrase: secret('mavlink-passphrase'), proxyPassword: secret('proxy-password'), bindKey: randomBytes(16).toString('hex') };
    const dir = await track.tempDir('fb-secrets-');
    const plc = track.add(await startModbusSimulator({ port: 0 }), (x) => x.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const opcua = track.add(await startOpcuaServer({ pkiDir: join(dir, 'pki'), users: { operator: s.opcuaPassword! }, allowAnonymous: false, securityModes: ['None'] }), (x) => x.stop());
    const vehicle = track.add(await startMavlinkSimulator({ transport: 'tcp', port: 0 }), (x) => x.close());
    // The example recording's plain and encrypted BTHome adverts.
    const recording = await writeTempFile(track, 'adverts.ndjson', readFileSync(BLE_RECORDING, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const file = await writeTempFile(
      track,
      'site.yaml',
      [
        'source_id: site-a',
        `sink: { url: '${withCredentials('https://gw.example.com', s)}', api_key: '${s.apiKey}', signing: { secret: '${s.signing}' }, buffer: { path: '${join(dir, 'spool')}' } }`,
        'modbus:',
        `  devices: [{ name: plc, connection: '${plc.url}', timeout_ms: 10s, points: [{ metric: plc.level, table: holding, address: 0 }] }]`,
        'mqtt:',
        `  url: '${broker.url}'`,
        '  username: plant',
        `  password: '${s.mqttPassword}'`,
        '  subscriptions: [{ topic: site/+/temperature, format: number, metric: "{topic.1}.temperature" }]',
        'opcua:',
        `  endpoint: '${opcua.endpointUrl}'`,
        `  auth: { username: operator, password: '${s.opcuaPassword}' }`,
        "  nodes: [{ metric: boiler.temperature, node_id: 'nsu=urn:fieldbridge:opcua-sim;s=Boiler.Temperature' }]",
        'mavlink:',
        `  connection: '${vehicle.target}'`,
        `  signing: { passphrase: '${s.mavlinkPassphrase}', allow_unsigned: true }`,
        'ble:',
        `  replay: { file: '${recording}', pace: fast }`,
        // The recording's encrypted adverts were made with another key: decryption fails, and says so.
        `  devices: [{ name: window, address: 'a4:c1:38:b7:10:02', decoder: bthome, bind_key: '${s.bindKey}' }]`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, NO_COLOR: '1', HTTPS_PROXY: `http://proxy-user:${s.proxyPassword}@127.0.0.1:3128`, NO_PROXY: '' };

    const check = startCommand(BIN, ['check', file], { env, track });
    expect(await check.exited, check.stderr()).toBe(0);
    expectNoSecret(check.stdout() + check.stderr(), s, 'check');
    expect(check.stdout()).toContain('https://***:***@gw.example.com/ingest?token=***');
    expect(check.stdout()).toContain('"api_key":"***"');
    expect(check.stdout()).toContain('http://***@127.0.0.1:3128');
    expect(check.stdout()).toMatch(/user plant with a password/);
    expect(check.stdout()).toMatch(/login user "operator" with a password/);

    // A retained message, so that --once hears every channel.
    const publisher = track.add(await mqtt.connectAsync(broker.url), (c) => c.endAsync());
    await publisher.publishAsync('site/hall/temperature', '21.5', { retain: true, qos: 1 });
    const dry = startCommand(BIN, ['run', '--once', '--dry-run', '--log-level', 'trace', file], { env, track });
    expect(await dry.exited, dry.stderr()).toBe(0);
    expect(dry.stdout()).toContain('"metric":"boiler.temperature"');
    expect(dry.stdout()).toContain('"metric":"plc.level"');
    expect(dry.stdout()).toContain('"metric":"hall.temperature"');
    expect(dry.stderr()).toMatch(/did not authenticate with the device's bind key/);
    expectNoSecret(dry.stdout() + dry.stderr() + filesBelow(dir), s, 'the dry run');
  }, 60_000);

  /** Runs a Modbus mapping whose sink is `url` until the sink complains, and gathers what the run wrote and served. */
  async function runAgainst(url: (s: Secrets) => string, env: (s: Secrets) => NodeJS.ProcessEnv = () => ({})): Promise<{ s: Secrets; stderr: string; served: string; files: string }> {
    const s: Secrets = { apiKey: secret('api-key'), urlPassword: secret('url-password'), urlToken: secret('url-token'), signing: secret('signing-secret'), proxyPassword: secret('proxy-password') };
    const plc = track.add(await startModbusSimulator({ port: 0 }), (x) => x.close());
    const dir = await track.tempDir('fb-secrets-');
    const file = await writeTempFile(
      track,
      'site.yaml',
      [
        'source_id: site-a',
        `sink: { url: '${url(s)}', api_key: '${s.apiKey}', signing: { secret: '${s.signing}' }, buffer: { path: '${join(dir, 'spool')}' }, batch: { linger_ms: 10 }, retry: { max_server_error_attempts: 1, initial_delay_ms: 10 }, shutdown_timeout_ms: 0 }`,
        `observe: { listen: '127.0.0.1:0' }`,
        'modbus:',
        `  devices: [{ name: plc, connection: '${plc.url}', poll_ms: 50, points: [{ metric: plc.level, table: holding, address: 0 }] }]`,
        '',
      ].join('\n'),
    );
    const run = startCommand(BIN, ['run', file, '--log-level', 'trace'], { env: { ...process.env, NO_COLOR: '1', ...env(s) }, track });
    await run.said('health and metrics on');
    const observe = /health and metrics on (http:\/\/[\d.:]+)/.exec(run.stderr())![1]!;
    // A warning or an error: the receiver refused, or could not be reached.
    await until(() => /"level":(40|50),/.test(run.stderr()), 'the sink to complain');
    let served = '';
    for (const path of ['/healthz', '/readyz', '/metrics']) served += `${path}\n${await (await fetch(observe + path)).text()}\n`;
    run.child.kill('SIGTERM');
    await run.exited;
    return { s, stderr: run.stderr() + run.stdout(), served, files: filesBelow(dir) };
  }

  it.each([401, 404, 400, 500])('a receiver that answers %i and echoes the request gets none of them into the log, /readyz, /metrics, the spool or the dead-letter file', async (status) => {
    const base = await echoingReceiver(status);
    const { s, stderr, served, files } = await runAgainst((x) => withCredentials(base, x));
    expectNoSecret(stderr, s, 'the log');
    expectNoSecret(served, s, 'the observe server');
    expectNoSecret(files, s, 'the state directory');
    // The echo is kept, with the credentials replaced.
    expect(stderr).toContain('refused /ingest?token=***');
    if (status === 400 || status === 500) expect(readDeadLetter(files)).toContain('token=***');
    else expect(served).toContain('token=***');
  }, 30_000);

  it('a WebSocket receiver that refuses the upgrade, a closed port and a proxy that cannot be reached print none either', async () => {
    const ws = await echoingReceiver(401);
    for (const [url, env] of [
      [(x: Secrets) => withCredentials(ws.replace('http:', 'ws:'), x), () => ({})],
      [(x: Secrets) => withCredentials('http://127.0.0.1:9', x), () => ({})],
      [(x: Secrets) => withCredentials(ws, x), (x: Secrets) => ({ HTTP_PROXY: `http://proxy-user:${x.proxyPassword}@127.0.0.1:9`, NO_PROXY: '' })],
    ] as const) {
      const { s, stderr, served, files } = await runAgainst(url, env);
      expectNoSecret(stderr + served + files, s, url(s));
      expect(stderr).toMatch(/:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/ingest\?token=\*\*\*/);
    }
  }, 60_000);

  it('a mapping refused for a connection with credentials or key material where a path belongs does not repeat them', async () => {
    const s: Secrets = { modbus: secret('modbus'), mavlink: secret('mavlink'), opcua: secret('opcua'), sink: secret('sink'), keyMaterial: `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${randomBytes(24).toString('base64')}`, opcuaKey: secret('opcua-key') };
    const modbusDevice = (connection: string) => `modbus:\n  devices: [{ name: plc, connection: '${connection}', points: [{ metric: a, table: holding, address: 0 }] }]`;
    const cases = [
      [modbusDevice(`tcp://plc:${s.modbus}@127.0.0.1:502`), /"tcp:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:502" has parts a tcp connection does not use/],
      [modbusDevice(`tcp://plc:${s.modbus}@127.0.0.1:`), /"tcp:\/\/\*\*\*@127\.0\.0\.1:" has an empty port/],
      [`mavlink:\n  connection: 'tcp://gcs:${s.mavlink}@127.0.0.1:5760/x'`, /"tcp:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:5760\/x" has a path/],
      [`mavlink:\n  connection: 'tcp://gcs:${s.mavlink}@127.0.0.1:99999'`, /"tcp:\/\/\*\*\*@127\.0\.0\.1:99999" is not a valid URL/],
      [`opcua:\n  endpoint: 'opc.tcp://operator:${s.opcua}@127.0.0.1:99999'\n  nodes: [{ metric: a, node_id: 'ns=1;s=A' }]`, /endpoint "opc\.tcp:\/\/\*\*\*@127\.0\.0\.1:99999" is not a URL/],
      [`sink: { url: 'https://ingest:${s.sink}@gw.example.com:99999/ingest' }\n${modbusDevice('tcp://127.0.0.1:502')}`, /sink\.url: "https:\/\/\*\*\*@gw\.example\.com:99999\/ingest" is not a valid URL/],
      [`sink: { url: 'https://gw.example.com/ingest', tls: { cert: ./client.pem, key: '${s.keyMaterial}' } }\n${modbusDevice('tcp://127.0.0.1:502')}`, /sink\.tls\.key: not a file that exists nor inline PEM .*the value is not shown/],
      [`opcua:\n  endpoint: 'opc.tcp://127.0.0.1:4840'\n  security: { mode: Sign }\n  auth: { certificate: ./user.pem, private_key: '${s.opcuaKey}' }\n  nodes: [{ metric: a, node_id: 'ns=1;s=A' }]`, /opcua\.auth\.private_key: not a file that exists; the value is not shown/],
    ] as const;
    for (const [section, said] of cases) {
      const file = await writeTempFile(track, 'refused.yaml', `source_id: site-a\n${section.startsWith('sink:') ? '' : 'sink: { url: stdout }\n'}${section}\n`);
      const check = startCommand(BIN, ['check', file], { track });
      expect(await check.exited).toBe(2);
      expectNoSecret(check.stdout() + check.stderr(), s, section);
      expect(check.stderr()).toMatch(said);
    }
  }, 30_000);
});

/** The dead-letter file's lines in the gathered files. */
function readDeadLetter(files: string): string {
  const at = files.indexOf('dead-letter.ndjson\n');
  return at < 0 ? '' : files.slice(at);
}
