import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGateway, isLoopback } from './gateway.js';
import { isGatewayError } from './errors.js';
import { messageOf } from './_context.js';
import type { Gateway } from './types.js';

const NAME = 'fieldbridge-gateway';
const KEY_ENV = 'FIELDBRIDGE_GATEWAY_API_KEY';
const SECRET_ENV = 'FIELDBRIDGE_GATEWAY_SIGNING_SECRET';

const USAGE = `Usage: ${NAME} [options]

A local Plexus-compatible ingest service (POST /ingest and the WebSocket device protocol on
/ws/device) for development, demos and tests.
Stored points are printed on stdout; status lines go to stderr, and so does each refused
request or frame with why (the same one again within a minute is counted).

Options:
  --host HOST              interface to listen on (default 127.0.0.1)
  --port PORT              TCP port, 0 for any free one (default 8080)
  --api-key KEY            key with write scope; repeatable (also $${KEY_ENV},
                           comma-separated). Without any, a random key is generated and printed
  --read-only-key KEY      key that authenticates but gets 403; repeatable
  --out FILE               append every stored point to FILE as NDJSON (its folder made)
  --quiet                  do not print points
  --count-only             count points without keeping them (long benchmarks); the
                           query endpoint then returns none
  --keep N                 keep at most N stored points in memory for the query endpoint;
                           the oldest go first (default 1000000)
  --influx                 also serve InfluxDB v2 POST /api/v2/write (Authorization: Token KEY)
  --clock-offset-ms MS     shift the server clock by MS (negative: --clock-offset-ms=-5000)
  --no-ws-ack              WebSocket: do not acknowledge telemetry frames (like the real gateway)
  --no-time-sync           WebSocket: do not answer time_sync (like the real gateway)
  --no-page                do not serve the live page at / and its stream /_dev/live
  --signing-secret SECRET  refuse (401) batches and telemetry frames not signed with SECRET
                           (x-fieldbridge-signature); also $${SECRET_ENV}. Never printed
  --signature-tolerance-s S  how old (or early) a signature may be, in seconds (default 300)
  --help                   show this help
  --version                show the version

The live page at / shows what arrives, as it arrives, and drives WebSocket devices.

Dev endpoints (no key on loopback; the API key when it listens beyond): GET /_dev/points?metric=&source_id=, GET /_dev/stats,
POST /_dev/reset, GET|PUT|DELETE /_dev/faults, GET /_dev/devices, POST /_dev/control
({"source_id"?, "message": {"type": ...}}), POST /_dev/disconnect, GET /_dev/live (the
page's event stream), GET /_dev/live/history?ids=, POST /_dev/live/disconnect, GET /healthz.
`;

/** Where the command writes, reads its environment, and learns it should stop. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the gateway should stop. Default: the first SIGINT or SIGTERM. */
  stopped?: Promise<unknown>;
}

class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'api-key': { type: 'string', multiple: true },
      'read-only-key': { type: 'string', multiple: true },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'count-only': { type: 'boolean', default: false },
      keep: { type: 'string' },
      influx: { type: 'boolean', default: false },
      'clock-offset-ms': { type: 'string', default: '0' },
      'no-ws-ack': { type: 'boolean', default: false },
      'no-time-sync': { type: 'boolean', default: false },
      'no-page': { type: 'boolean', default: false },
      'signing-secret': { type: 'string' },
      'signature-tolerance-s': { type: 'string' },
      help: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  if (values.keep !== undefined && !(/^\d{1,10}$/.test(values.keep) && Number(values.keep) >= 1)) {
    throw new UsageError(`--keep must be a whole number of points, at least 1, not "${values.keep}"`);
  }
  const tolerance = values['signature-tolerance-s'];
  if (tolerance !== undefined && !(/^\d{1,5}$/.test(tolerance) && Number(tolerance) >= 1 && Number(tolerance) <= 86_400)) {
    throw new UsageError(`--signature-tolerance-s must be a whole number of seconds, 1..86400, not "${tolerance}"`);
  }
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new UsageError(`--port must be an integer 0..65535, not "${values.port}"`);
  }
  if (!/^-?\d+(\.\d+)?$/.test(values['clock-offset-ms'])) {
    throw new UsageError(`--clock-offset-ms must be a number of ms, not "${values['clock-offset-ms']}"`);
  }
  return values;
}

/**
 * The live page's address to open. Beyond loopback its /_dev requests need a key, which the page
 * takes from its own `?key=`: opened without one, its event stream is refused and the page stays
 * empty without saying why (a browser's EventSource never sees the 401), so the address carries a
 * write key, as Jupyter's printed address carries its token (the key is on this command line).
 */
function pageAddress(origin: string, host: string, key: string): string {
  return isLoopback(host) ? `${origin}/` : `${origin}/?key=${encodeURIComponent(key)}`;
}

/**
 * Runs the `fieldbridge-gateway` command with `argv` (without node and the script) and
 * resolves with the exit code: 0 after a clean stop (SIGINT/SIGTERM), 2 for bad flags or
 * configuration, 1 when the gateway cannot start.
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const { stdout, stderr, env, stopped } = io ?? { stdout: process.stdout, stderr: process.stderr, env: process.env };
  let flags: ReturnType<typeof parse>;
  try {
    flags = parse(argv);
  } catch (err) {
    stderr.write(`${NAME}: ${messageOf(err)}\nRun ${NAME} --help for usage.\n`);
    return 2;
  }
  if (flags.help || flags.version) {
    stdout.write(flags.help ? USAGE : `${version()}\n`);
    return 0;
  }

  const apiKeys = [...(flags['api-key'] ?? []), ...(env[KEY_ENV] ?? '').split(',')].map((k) => k.trim()).filter(Boolean);
  if (apiKeys.length === 0) {
    const key = `fbk_dev_${randomBytes(12).toString('hex')}`;
    apiKeys.push(key);
    stderr.write(`${NAME}: no --api-key given; generated one for this run: ${key} (a fieldbridge starter sends it with PLEXUS_API_KEY=${key} in its environment)\n`);
  }
  const signingSecret = flags['signing-secret'] ?? (env[SECRET_ENV] || undefined);
  let gateway: Gateway;
  try {
    gateway = await createGateway({
      host: flags.host,
      port: Number(flags.port),
      apiKeys,
      readOnlyKeys: flags['read-only-key'] ?? [],
      ...(flags.out === undefined ? {} : { out: flags.out }),
      ...(flags.quiet ? {} : { print: stdout }),
      refusals: stderr,
      influxWrite: flags.influx,
      retainPoints: !flags['count-only'],
      ...(flags.keep === undefined ? {} : { maxRetainedPoints: Number(flags.keep) }),
      clockOffsetMs: Number(flags['clock-offset-ms']),
      wsAck: !flags['no-ws-ack'],
      wsTimeSync: !flags['no-time-sync'],
      ...(flags['no-page'] ? { live: false as const } : {}),
      ...(signingSecret === undefined ? {} : { signingSecret }),
      ...(flags['signature-tolerance-s'] === undefined ? {} : { signatureToleranceS: Number(flags['signature-tolerance-s']) }),
    });
  } catch (err) {
    // The library's own prefix (`createGateway: `) names a function the command's user never called.
    stderr.write(`${NAME}: ${messageOf(err).replace(/^createGateway: /, '')}\n`);
    return isGatewayError(err, 'OPTIONS_INVALID') ? 2 : 1;
  }
  stderr.write(`${NAME} listening on ${gateway.url}\n`);
  if (!isLoopback(flags.host)) {
    stderr.write(`${NAME}: WARNING: listening on ${flags.host}, beyond loopback: anyone who can reach it may send data with a key, and the /_dev endpoints now need one too (x-api-key, or ?key= for the page)\n`);
  }
  const extensions = [flags['no-ws-ack'] ? '' : 'ack', flags['no-time-sync'] ? '' : 'time_sync', signingSecret === undefined ? '' : 'signature'].filter(Boolean);
  stderr.write(`${NAME}: WebSocket devices on ${gateway.wsUrl} (extensions: ${extensions.join(', ') || 'none, like the real gateway'})\n`);
  if (signingSecret !== undefined) {
    stderr.write(`${NAME}: checking signatures (x-fieldbridge-signature over HTTP, "signature" in WebSocket frames; window ${flags['signature-tolerance-s'] ?? 300} s): unsigned or badly signed batches get 401\n`);
  }
  if (flags.influx) stderr.write(`${NAME}: InfluxDB v2 writes on ${gateway.origin}/api/v2/write\n`);
  if (!flags['no-page']) stderr.write(`${NAME}: live page on ${pageAddress(gateway.origin, flags.host, apiKeys[0]!)}\n`);
  await (stopped ?? untilSignal());
  await gateway.close();
  return 0;
}
