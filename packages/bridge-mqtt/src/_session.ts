import { createReconnector, formatSize, type Reconnector } from '@fieldbridge/core/bridge';
import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import { createPacketSizeGuard } from './_packet-guard.js';
import { explainConnectError, MqttBridgeError } from './errors.js';

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
  /** An attempt failed, or (`wasUp`) a connection that was up went away; the next attempt is in `retryInMs`. */
  onDown(reason: string, retryInMs: number, wasUp: boolean): void;
  /** The broker answered a SUBSCRIBE (or the session kept it). `refused` holds the broker's reason. */
  onSubscription(name: string, result: { ok: true; restored: boolean } | { ok: false; refused: string }): void;
  /**
   * Before a message is taken: a promise to wait for (flow control), or undefined to go on.
   * While it is pending the message is not acknowledged and nothing more is read.
   */
  beforeMessage(): Promise<void> | undefined;
  onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void;
  /** The broker sent a packet of `size` bytes, over `maxPacketBytes`: the connection is dropped. */
  onPacketTooLarge(size: number): void;
}

/** Options of {@link MqttSession}. */
export interface SessionOptions {
  clientOptions: IClientOptions & { url: string };
  subscriptions: SessionSubscription[];
  reconnect: { initialMs: number; maxMs: number; stableMs?: number };
  /** Largest packet read; a larger one drops the connection as soon as its header arrives. */
  maxPacketBytes: number;
  hooks: SessionHooks;
  random?: () => number;
  /** Creates the client; defaults to mqtt.js's `connect`, imported on first use. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

/** SUBACK reason codes from 0x80 up are refusals (MQTT 3.1.1 has only 0x80). */
const REFUSALS: Record<number, string> = {
  0x80: 'unspecified error', 0x83: 'implementation specific error', 0x87: 'not authorized', 0x8f: 'topic filter invalid', 0x91: 'packet identifier in use',
  0x97: 'quota exceeded', 0x9e: 'shared subscriptions not supported', 0xa1: 'subscription identifiers not supported', 0xa2: 'wildcard subscriptions not supported',
};

async function loadConnect(): Promise<(url: string, options: IClientOptions) => MqttClient> {
  const mod = (await import('mqtt')) as unknown as { connect?: unknown; default?: { connect?: unknown } };
  return (mod.connect ?? mod.default?.connect) as (url: string, options: IClientOptions) => MqttClient;
}

/**
 * One connection to the broker through mqtt.js, kept up until {@link stop}: reconnects with the
 * kit's reconnector (mqtt.js's fixed-period reconnect is off), subscribes again after every
 * connect whose session the broker did not keep, refuses oversized packets before reading them,
 * and holds acknowledgements while the source asks it to wait (keeping the connection alive).
 */
export class MqttSession {
  private client: MqttClient | undefined;
  private readonly reconnector: Reconnector;
  private up = false;
  /** Bumped at every close: a message held across a close is the broker's again, not ours. */
  private generation = 0;
  private lastError: string | undefined;
  private stopping = false;
  /** Pings the broker while a message is held. */
  private holding: NodeJS.Timeout | undefined;
  private readonly granted = new Set<string>();
  private readonly where: string;

  constructor(private readonly options: SessionOptions) {
    this.where = options.clientOptions.url;
    this.reconnector = createReconnector({ ...options.reconnect, ...(options.random ? { random: options.random } : {}) });
  }

  /** Loads mqtt.js and starts connecting; resolves once the first attempt has begun. */
  async start(): Promise<void> {
    if (this.client || this.stopping) return;
    const connect = this.options.connect ?? (await loadConnect());
    if (this.stopping) return;
    const { url, ...clientOptions } = this.options.clientOptions;
    const client = connect(url, { ...clientOptions, manualConnect: true });
    this.client = client;
    client.on('connect', (packet: IConnackPacket) => this.onConnack(client, packet));
    client.handleMessage = (packet, done) => this.take(client, packet, done);
    client.on('error', (err: Error) => {
      this.lastError = explainConnectError(err, /^(mqtts|wss):/.test(this.where));
    });
    client.on('close', () => this.closed());
    this.guard(client.connect());
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
    this.reconnector.cancel();
    this.release();
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

  /**
   * Watches a new connection's bytes for packets over the limit (mqtt.js would buffer them
   * whole), and holds what mqtt.js writes while it works through a chunk of them: the PUBACKs
   * of a read's messages then leave in one write once the event loop turns, instead of one
   * system call (and one wake-up of the broker) per message.
   */
  private guard(client: MqttClient): void {
    const stream = client.stream;
    const tooLarge = createPacketSizeGuard(this.options.maxPacketBytes);
    let corked = false;
    const uncork = (): void => {
      corked = false;
      stream.uncork();
    };
    stream.prependListener('data', (chunk: Uint8Array) => {
      if (!corked && !stream.destroyed) {
        corked = true;
        stream.cork();
        setImmediate(uncork);
      }
      const size = tooLarge(chunk);
      if (size === undefined || stream.destroyed) return;
      this.options.hooks.onPacketTooLarge(size);
      const what = Number.isFinite(size) ? `a packet of ${size} bytes` : 'a malformed packet length';
      stream.destroy(new MqttBridgeError('PACKET_TOO_LARGE', `the broker sent ${what}, more than max_packet_size (${formatSize(this.options.maxPacketBytes)}); dropped the connection before reading it (with protocol_version 5 the broker discards such messages itself)`));
    });
  }

  /** mqtt.js's hook for each incoming PUBLISH: it acknowledges, and reads on, once `done` is called. */
  private take(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): void {
    const wait = this.options.hooks.beforeMessage();
    if (!wait) {
      this.options.hooks.onMessage(packet.topic, packet.payload as Buffer, packet);
      done();
      return;
    }
    const generation = this.generation;
    this.keepAliveWhileHeld(client);
    void wait.then(() => {
      this.release();
      // Stopped, or the connection went meanwhile: the broker still has the message and sends it again.
      if (this.stopping || generation !== this.generation) return;
      this.options.hooks.onMessage(packet.topic, packet.payload as Buffer, packet);
      done();
    });
  }

  /**
   * While a message is held mqtt.js reads nothing, so it would miss the PINGRESPs and drop the
   * connection after 1.5 keep-alives: ping the broker ourselves and hold mqtt.js's own check off.
   */
  private keepAliveWhileHeld(client: MqttClient): void {
    const keepaliveS = this.options.clientOptions.keepalive ?? 60;
    if (keepaliveS <= 0) return;
    this.holding = setInterval(() => {
      client.reschedulePing(true);
      client.sendPing();
    }, (keepaliveS * 1000) / 2);
    this.holding.unref();
  }

  private release(): void {
    clearInterval(this.holding);
    this.holding = undefined;
  }

  private onConnack(client: MqttClient, packet: IConnackPacket): void {
    const first = this.generation === 0;
    this.up = true;
    this.lastError = undefined;
    this.reconnector.connected();
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
        const code = suback ? suback[0] : granted?.[0]?.qos;
        const reason = typeof code === 'number' ? code : 0x80;
        if (reason >= 0x80) {
          this.granted.delete(sub.name);
          this.options.hooks.onSubscription(sub.name, { ok: false, refused: REFUSALS[reason] ?? `reason code 0x${reason.toString(16)}` });
        } else {
          this.granted.add(sub.name);
          this.options.hooks.onSubscription(sub.name, { ok: true, restored: false });
        }
      });
    }
  }

  private closed(): void {
    this.generation += 1;
    this.release();
    if (this.stopping) return;
    const client = this.client;
    const delay = this.reconnector.schedule(() => {
      if (!this.stopping && client) this.guard(client.reconnect());
    });
    const wasUp = this.up;
    this.up = false;
    this.options.hooks.onDown(this.lastError ?? (wasUp ? 'the broker closed it' : 'the connection closed before the broker accepted it'), delay, wasUp);
    this.lastError = undefined;
  }
}
