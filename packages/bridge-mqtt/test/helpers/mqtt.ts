import { captureLogs, createTestContext, type CapturedLogs, type CleanupTracker, type TestContext } from '@fieldbridge/core/testing';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { mqttConfigSchema, type MqttConfig } from '../../src/config.js';
import type { BridgeInstance } from '@fieldbridge/core/bridge';
import { createMqttSource, type MqttSourceOptions } from '../../src/source.js';

/** Validates an `mqtt:` section given as an object (throws with the zod issues when invalid). */
export function section(value: unknown): MqttConfig {
  return mqttConfigSchema.parse(value);
}

/** A source on a recording test context. */
export interface TestSource {
  source: BridgeInstance;
  t: TestContext;
  /** Resolves once every subscription's channel is `connected` (granted by the broker). */
  subscribed(): Promise<void>;
}

/** What the test context of {@link startSource} is made with, besides the defaults. */
export interface SourceContextOptions {
  /** Started as under `--dry-run` (`ctx.dryRun`). */
  dryRun?: boolean;
  /** Replaces the context's silent logger (e.g. a {@link collectingLogger}'s). */
  logger?: Logger;
}

/**
 * Creates and starts a source for `config` on a fresh test context; `track` stops it after the
 * test. Sources given one `reloadState` map share what they keep across reloads, as a source
 * started again by SIGHUP does.
 */
export async function startSource(config: MqttConfig, options: MqttSourceOptions = {}, track?: CleanupTracker, reloadState?: Map<string, unknown>, context: SourceContextOptions = {}): Promise<TestSource> {
  const t = createTestContext({ bridge: 'mqtt', ...(reloadState ? { reloadState } : {}), ...(context.dryRun ? { dryRun: true } : {}) });
  if (context.logger) t.ctx.logger = context.logger;
  const source = createMqttSource(config, t.ctx, options);
  track?.add(source, (s) => s.stop());
  await source.start();
  return {
    source,
    t,
    subscribed: () => t.waitFor(() => t.ready(), 'every subscription granted'),
  };
}

/** A plain mqtt.js client for publishing test messages. */
export interface Publisher {
  client: MqttClient;
  /** Publishes and resolves once the broker acknowledged it (QoS 1/2) or it was written (QoS 0). */
  publish(topic: string, payload: string | Uint8Array, qos?: 0 | 1 | 2): Promise<void>;
  /** Publishes a retained message at QoS 1 and resolves once the broker acknowledged it (and so holds it). */
  retain(topic: string, payload: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Connects a publisher to `url`. */
export async function connectPublisher(url: string, options: IClientOptions = {}): Promise<Publisher> {
  const client = await connectAsync(url, { reconnectPeriod: 0, ...options });
  return {
    client,
    async publish(topic, payload, qos = 1) {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos });
    },
    async retain(topic, payload) {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: 1, retain: true });
    },
    async close() {
      await client.endAsync();
    },
  };
}

/** A pino logger whose lines a test reads back. */
export type CollectingLogger = Pick<CapturedLogs, 'logger' | 'lines'>;

/** A real pino logger (level info) writing into memory: the kit's. */
export function collectingLogger(): CollectingLogger {
  return captureLogs('info');
}
