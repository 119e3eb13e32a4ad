import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, type GatewayOptions } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach } from 'vitest';
import { createSink, type Sink, type SinkOptions } from '../../src/index.js';

export const KEY = 'ws-key';
const gateways: Gateway[] = [];
const sinks: Sink[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A gateway-dev on an OS-chosen port, closed after the test. */
export async function startGateway(options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const gateway = await createGateway({ apiKeys: [KEY], readOnlyKeys: ['read-key'], ...options });
  gateways.push(gateway);
  return gateway;
}

/** A temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-ws-'));
  dirs.push(dir);
  return dir;
}

/** A pino logger (debug) whose JSON lines are kept for assertions: the kit's. */
export { captureLogs as captureLogger } from '../../src/testing/capture-logs.js';

export const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, authProbeIntervalMs: 100 };

/** A sink on the gateway's WebSocket endpoint, closed after the test. */
export function wsSink(gateway: Gateway, options: Partial<SinkOptions> = {}): Sink & { registry: Registry } {
  return sinkAt(gateway.wsUrl, options);
}

/** A sink on any endpoint (HTTP or WebSocket), closed after the test. */
export function sinkAt(url: string, options: Partial<SinkOptions> = {}): Sink & { registry: Registry } {
  const registry = options.registry ?? new Registry();
  const sink = createSink({
    url,
    apiKey: KEY,
    sourceId: 'ws-test',
    logger: pino({ level: 'silent' }),
    retry: fastRetry,
    batch: { lingerMs: 5 },
    deadLetterPath: '/dev/null',
    ...options,
    registry,
  });
  sinks.push(sink);
  return Object.assign(sink, { registry });
}

/** Reads one sample of a metric from a registry (0 when absent). */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const json = await registry.getMetricsAsJSON();
  const found = json.find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l));
  return Number(value?.value ?? 0);
}
