import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import { explainConnectError } from './errors.js';

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs` doubling up to `maxMs`, with
 * "equal jitter" (between half and all of it) so bridges restarted together do not reconnect
 * in lockstep.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** One subscription as the broker sees it. */
export interface SessionSubscription {
  name: string;
  /** The filter as sent, `$share/...` prefix included. */
  topic: string;
  qos: 0 | 1 | 2;
}

/** What the session tells the source. */
export interface SessionHooks {
  /** Connected (CONNACK accepted). */
  onConnected(sessionPresent: boolean): void;
  /** A connection that was up went away; a reconnect is scheduled. */
  onLost(reason: string): void;
  /** An attempt failed; the next one is in `retryInMs`. */
  onConnectFailed(reason: string, retryInMs: number): void;
  /** The broker answered a SUBSCRIBE (or the session kept it). `refused` holds the broker's reason. */
  onSubscription(name: string, result: { ok: true; restored: boolean } | { ok: false; refused: string }): void;
  onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void;
}

/** Options of a {@link MqttSession}. */
export interface SessionOptions {
  clientOptions: IClientOptions & { url: string };
  subscriptions: SessionSubscription[];
  reconnect: { initialMs: number; maxMs: number };
  hooks: SessionHooks;
  random?: () => number;
  /** Creates the client; defaults to mqtt.js's `connect`, imported on first use. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

/** SUBACK reason codes from 0x80 up are refusals (MQTT 3.1.1 has only 0x80). */
const REFUSALS: Record<number, string> = {
  0x80: 'unspecified error',
  0x83: 'implementation specific error',
  0x87: 'not authorized',
  0x8f: 'topic filter invalid',
  0x91: 'packet identifier in use',
  0x97: 'quota exceeded',
  0x9e: 'shared subscriptions not supported',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};

async function loadConnect(): Promise<(url: string, options: IClientOptions) => MqttClient> {
  const mod = (await import('mqtt')) as unknown as { connect?: unknown; default?: { connect?: unknown } };
  return (mod.connect ?? mod.default?.connect) as (url: string, options: IClientOptions) => MqttClient;
}

/**
 * One connection to the broker through mqtt.js, kept up until {@link stop}: reconnects with
 * backoff and jitter (mqtt.js's fixed-period reconnect is off), and subscribes again after
 * every connect whose session the broker did not keep.
 */
export class MqttSession {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private wasConnected = false;
  private up = false;
  private lastError: string | undefined;
  private stopping = false;
  private readonly granted = new Set<string>();
  private readonly where: string;

  constructor(private readonly options: SessionOptions) {
    this.where = options.clientOptions.url;
  }

  /** True while connected. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Loads mqtt.js and starts connecting; resolves once the first attempt has begun. */
  async start(): Promise<void> {
    if (this.client || this.stopping) return;
    const connect = this.options.connect ?? (await loadConnect());
    if (this.stopping) return;
    const { url, ...clientOptions } = this.options.clientOptions;
    const client = connect(url, clientOptions);
    this.client = client;
    client.on('connect', (packet: IConnackPacket) => this.onConnack(client, packet));
    client.on('message', (topic, payload, packet) => this.options.hooks.onMessage(topic, payload, packet));
    client.on('error', (err: Error) => {
      this.lastError = explainConnectError(err, /^(mqtts|wss):/.test(this.where));
    });
    client.on('close', () => this.closed());
  }

  /** Publishes at QoS 0 when connected; returns false (sending nothing) otherwise. */
  publish(topic: string, payload: Uint8Array): boolean {
    if (!this.client?.connected) return false;
    this.client.publish(topic, Buffer.from(payload), { qos: 0 });
    return true;
  }

  /** Disconnects (cleanly when connected, within `timeoutMs`) and stops reconnecting. Idempotent. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => client.end(true, {}, () => resolve()), timeoutMs);
      force.unref();
      client.end(!client.connected, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private onConnack(client: MqttClient, packet: IConnackPacket): void {
    const first = !this.wasConnected;
    this.wasConnected = true;
    this.up = true;
    this.failures = 0;
    this.lastError = undefined;
    this.options.hooks.onConnected(packet.sessionPresent);
    for (const sub of this.options.subscriptions) {
      // A kept session holds what was granted; subscribe again what it may not hold.
      if (!first && packet.sessionPresent && this.granted.has(sub.name)) {
        this.options.hooks.onSubscription(sub.name, { ok: true, restored: true });
        continue;
      }
      client.subscribe(sub.topic, { qos: sub.qos }, (err, granted) => {
        // mqtt.js reports a refusal as an error carrying the SUBACK, a lost connection without one.
        const suback = (err as { packet?: { granted?: unknown[] } } | null)?.packet?.granted;
        if (err && !suback) {
          // The connection went away before the SUBACK: the next connect subscribes again.
          this.granted.delete(sub.name);
          return;
        }
        const first = suback ? suback[0] : granted?.[0]?.qos;
        const code = typeof first === 'number' ? first : 0x80;
        if (code >= 0x80) {
          this.granted.delete(sub.name);
          this.options.hooks.onSubscription(sub.name, { ok: false, refused: REFUSALS[code] ?? `reason code 0x${code.toString(16)}` });
        } else {
          this.granted.add(sub.name);
          this.options.hooks.onSubscription(sub.name, { ok: true, restored: false });
        }
      });
    }
  }

  private closed(): void {
    if (this.stopping) return;
    const { initialMs, maxMs } = this.options.reconnect;
    let delay: number;
    if (this.up) {
      this.up = false;
      this.failures = 0;
      delay = backoffDelayMs(0, initialMs, maxMs, this.options.random);
      this.options.hooks.onLost(this.lastError ?? 'the broker closed it');
    } else {
      this.failures += 1;
      delay = backoffDelayMs(this.failures - 1, initialMs, maxMs, this.options.random);
      this.options.hooks.onConnectFailed(this.lastError ?? 'the connection closed before the broker accepted it', delay);
    }
    this.lastError = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }
}
