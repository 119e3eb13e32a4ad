import { GatewayError } from './errors.js';
import type { GatewayOptions, LiveOptions } from './types.js';

/** Options with every default filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  apiKeys: ReadonlySet<string>;
  readOnlyKeys: ReadonlySet<string>;
  out: string | undefined;
  print: NodeJS.WritableStream | undefined;
  refusals: NodeJS.WritableStream | undefined;
  maxEventBytes: number;
  maxPoints: number;
  maxBodyBytes: number;
  clockOffsetMs: number;
  now: () => number;
  random: () => number;
  influxWrite: boolean;
  devEndpoints: boolean;
  retainPoints: boolean;
  maxRetainedPoints: number;
  maxBatchIds: number;
  wsAck: boolean;
  wsTimeSync: boolean;
  wsDelayMs: { toServer: number; toDevice: number };
  wsMaxFrameBytes: number;
  /** Undefined when signatures are not checked. */
  signingSecret: string | undefined;
  signatureToleranceS: number;
  /** Undefined when the live page is off. */
  live: Required<LiveOptions> | undefined;
}

const KNOWN = new Set<string>([
  'host', 'port', 'apiKeys', 'readOnlyKeys', 'out', 'print', 'refusals', 'maxEventBytes', 'maxPoints', 'maxBodyBytes',
  'clockOffsetMs', 'now', 'random', 'influxWrite', 'devEndpoints', 'retainPoints', 'maxRetainedPoints', 'maxBatchIds', 'wsAck', 'wsTimeSync', 'wsDelayMs',
  'wsMaxFrameBytes', 'live', 'signingSecret', 'signatureToleranceS',
] satisfies (keyof GatewayOptions)[]);

function fail(message: string): never {
  throw new GatewayError('OPTIONS_INVALID', `createGateway: ${message}`);
}

function keyList(value: unknown, name: string): Set<string> {
  if (!Array.isArray(value) || !value.every((k) => typeof k === 'string' && k.length > 0)) {
    fail(`${name} must be an array of non-empty strings`);
  }
  return new Set(value as string[]);
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) fail(`${name} must be a positive integer`);
  return value;
}

function fn<T>(value: unknown, name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') fail(`${name} must be a function`);
  return value as T;
}

const LIVE_DEFAULTS: Required<LiveOptions> = {
  intervalMs: 250,
  clientBufferBytes: 8 * 1024 * 1024,
  maxClients: 32,
  replayEvents: 240,
  replayBytes: 16 * 1024 * 1024,
  maxSeries: 50_000,
  maxSources: 1000,
};

function liveOptions(value: unknown, devEndpoints: boolean): Required<LiveOptions> | undefined {
  if (value === false) return undefined;
  if (value === undefined) return devEndpoints ? { ...LIVE_DEFAULTS } : undefined;
  if (typeof value !== 'object' || value === null) fail('live must be an object of options or false');
  if (!devEndpoints) fail('live needs devEndpoints: the page drives devices through /_dev/control (pass live: false)');
  const given = value as Record<string, unknown>;
  const out = { ...LIVE_DEFAULTS };
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(LIVE_DEFAULTS, key)) fail(`live: unknown option "${key}"`);
    out[key as keyof LiveOptions] = positiveInteger(given[key], `live.${key}`, LIVE_DEFAULTS[key as keyof LiveOptions]);
  }
  return out;
}

/** Validates options once and fills in defaults; throws `GatewayError` (`OPTIONS_INVALID`). */
export function resolveOptions(options: GatewayOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"`);
  }
  const apiKeys = keyList(options.apiKeys, 'apiKeys');
  if (apiKeys.size === 0) fail('apiKeys needs at least one key');
  const readOnlyKeys = keyList(options.readOnlyKeys ?? [], 'readOnlyKeys');
  for (const key of readOnlyKeys) if (apiKeys.has(key)) fail('a key cannot be in both apiKeys and readOnlyKeys');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port must be an integer 0..65535');
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  if (!Number.isFinite(clockOffsetMs)) fail('clockOffsetMs must be a finite number');
  if (options.out !== undefined && (typeof options.out !== 'string' || options.out === '')) fail('out must be a file path');
  if (options.print !== undefined && typeof options.print.write !== 'function') fail('print must be a writable stream');
  if (options.refusals !== undefined && typeof options.refusals.write !== 'function') fail('refusals must be a writable stream');
  const delay = (value: unknown, name: string): number => {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} must be a non-negative number of ms`);
    return value as number;
  };
  if (options.signingSecret !== undefined && !(typeof options.signingSecret === 'string' && options.signingSecret.length >= 16)) {
    fail('signingSecret must be a string of at least 16 characters (a short secret can be guessed)');
  }
  const tolerance = options.signatureToleranceS ?? 300;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance <= 0 || tolerance > 86_400) fail('signatureToleranceS must be a number of seconds, more than 0 and at most 86400');
  const devEndpoints = options.devEndpoints ?? true;
  const wsDelayMs = options.wsDelayMs ?? {};
  if (typeof wsDelayMs !== 'object' || wsDelayMs === null) fail('wsDelayMs must be an object { toServer, toDevice }');
  for (const key of Object.keys(wsDelayMs)) if (key !== 'toServer' && key !== 'toDevice') fail(`wsDelayMs: unknown key "${key}"`);
  return {
    host: options.host ?? '127.0.0.1',
    port,
    apiKeys,
    readOnlyKeys,
    out: options.out,
    print: options.print,
    refusals: options.refusals,
    maxEventBytes: positiveInteger(options.maxEventBytes, 'maxEventBytes', 65536),
    maxPoints: positiveInteger(options.maxPoints, 'maxPoints', 10_000),
    maxBodyBytes: positiveInteger(options.maxBodyBytes, 'maxBodyBytes', 5 * 1024 * 1024),
    clockOffsetMs,
    now: fn(options.now, 'now', Date.now),
    random: fn(options.random, 'random', Math.random),
    influxWrite: options.influxWrite ?? false,
    devEndpoints,
    retainPoints: options.retainPoints ?? true,
    maxRetainedPoints: positiveInteger(options.maxRetainedPoints, 'maxRetainedPoints', 1_000_000),
    maxBatchIds: positiveInteger(options.maxBatchIds, 'maxBatchIds', 1_000_000),
    wsAck: options.wsAck ?? true,
    wsTimeSync: options.wsTimeSync ?? true,
    wsDelayMs: { toServer: delay(wsDelayMs.toServer, 'wsDelayMs.toServer'), toDevice: delay(wsDelayMs.toDevice, 'wsDelayMs.toDevice') },
    wsMaxFrameBytes: positiveInteger(options.wsMaxFrameBytes, 'wsMaxFrameBytes', 1024 * 1024),
    live: liveOptions(options.live, devEndpoints),
    signingSecret: options.signingSecret,
    signatureToleranceS: tolerance,
  };
}
