import { randomBytes } from 'node:crypto';
import { Transform, type Duplex } from 'node:stream';
import { createReconnector, excerpt, formatSize, type Reconnector } from '@fieldbridge/core/bridge';
import type { IClientOptions, IConnackPacket, IDisconnectPacket, IPublishPacket, MqttClient } from 'mqtt';
import { createOversizeFilter, oversizedSize } from './_oversize-filter.js';
import { createTakeoverWatch, type Takeover, type TakeoverWatch } from './_takeover.js';
import { explainConnectError, explainDisconnect, isRefusalToFix, MAYBE_TLS, MqttBridgeError } from './errors.js';

/** One subscription as the broker sees it. */
export interface SessionSubscription {
  name: string;
  /** The filter as sent, `$share/...` prefix included. */
  topic: string;
  qos: 0 | 1 | 2;
  /** MQTT 5: the Subscription Identifier to subscribe with, where the broker takes them. */
  identifier?: number | undefined;
}

/** What the session tells the source. */
export interface SessionHooks {
  /** Connected (CONNACK accepted). */
  onConnected(sessionPresent: boolean): void;
  /**
   * The broker's session let go of `filters`, which the mapping no longer has; it refused to let
   * go of those in `refused` (MQTT 5 UNSUBACK reason codes from 0x80 up), tried again at the next
   * connection.
   */
  onUnsubscribed(filters: string[], refused: { filter: string; reason: string }[]): void;
  /**
   * An attempt failed, or (`wasUp`) a connection that was up went away; the next attempt is in
   * `retryInMs`. `refused`: for a reason someone must fix (credentials, a certificate), which a
   * retry does not change.
   */
  onDown(reason: string, retryInMs: number, wasUp: boolean, refused: boolean): void;
  /** The broker answered a SUBSCRIBE (or the session kept it). `refused` holds the broker's reason. */
  onSubscription(name: string, result: { ok: true; restored: boolean } | { ok: false; refused: string }): void;
  /**
   * Before a message is taken: a promise to wait for (flow control), or undefined to go on.
   * While it is pending the message is not acknowledged and nothing more is read.
   */
  beforeMessage(): Promise<void> | undefined;
  onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void;
  /**
   * The broker sent a packet of `size` bytes, over `maxPacketBytes`. A PUBLISH (`topic` given,
   * cut to its first 1 KiB) was acknowledged without being read, and the session goes on; any
   * other packet (no `topic`) drops the connection.
   */
  onPacketTooLarge(size: number, topic?: string): void;
  /**
   * The connection that just closed (reported by `onDown` first) reads as another client taking
   * the session over: the broker said so (MQTT 5 reason code 0x8E), or closed several connections
   * in a row soon after accepting them (see {@link TakeoverWatch}).
   */
  onTakenOver(evidence: Takeover): void;
}

/** Options of {@link MqttSession}. */
export interface SessionOptions {
  clientOptions: IClientOptions & { url: string };
  subscriptions: SessionSubscription[];
  /**
   * The topic filters the broker's session for this client id holds, as far as this process
   * knows. Given the set of the session a reload replaced, the filters the mapping no longer has
   * are unsubscribed at the next connect whose session the broker kept. Default: a new set.
   */
  heldFilters?: Set<string>;
  reconnect: { initialMs: number; maxMs: number; stableMs?: number };
  /** Largest packet read: a larger PUBLISH is acknowledged unread, any other larger packet drops the connection. */
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
 * connect whose session the broker did not keep, takes oversized messages out before mqtt.js reads
 * them (acknowledged unread), and holds acknowledgements while the source asks it to wait (keeping the connection alive).
 */
export class MqttSession {
  private client: MqttClient | undefined;
  private readonly reconnector: Reconnector;
  private up = false;
  /** Bumped at every close: a message held across a close is the broker's again, not ours. */
  private generation = 0;
  private lastError: string | undefined;
  /** The connection just closed was refused for a reason someone must fix ({@link isRefusalToFix}). */
  private refused = false;
  /** The MQTT 5 DISCONNECT reason code of the broker, for the connection up now. */
  private disconnectCode: number | undefined;
  /** An error came with the connection up now (a reset, a keep-alive timeout): not the broker closing it. */
  private errored = false;
  /** SUBSCRIBEs of the connection up now the broker has not answered yet. */
  private unanswered = 0;
  private readonly takeover: TakeoverWatch;
  private stopping = false;
  /** Pings the broker while a message is held. */
  private holding: NodeJS.Timeout | undefined;
  private readonly granted = new Set<string>();
  private readonly held: Set<string>;
  private readonly where: string;
  /** What the stand-ins of oversized messages carry: no publisher can guess it. */
  private readonly marker = randomBytes(16);

  constructor(private readonly options: SessionOptions) {
    this.where = options.clientOptions.url;
    this.held = options.heldFilters ?? new Set();
    this.reconnector = createReconnector({ ...options.reconnect, ...(options.random ? { random: options.random } : {}) });
    this.takeover = createTakeoverWatch(options.reconnect.stableMs ?? 30_000);
  }

  /** Loads mqtt.js and starts connecting; resolves once the first attempt has begun. */
  async start(): Promise<void> {
    if (this.client || this.stopping) return;
    const connect = this.options.connect ?? (await loadConnect());
    if (this.stopping) return;
    const { url, ...clientOptions } = this.options.clientOptions;
    const client = connect(url, { ...clientOptions, manualConnect: true });
    this.client = client;
    // mqtt.js makes each connection's stream with this (a private field, the same in mqtt.js 4 and 5;
    // the version is pinned and the packet-size tests fail should it move): the only place between
    // the socket and the pipe into mqtt.js's parser.
    const builder = client as unknown as { streamBuilder: (c: MqttClient) => Duplex };
    const build = builder.streamBuilder;
    builder.streamBuilder = (c) => this.guard(build.call(client, c));
    client.on('connect', (packet: IConnackPacket) => this.onConnack(client, packet));
    client.handleMessage = (packet, done) => this.take(client, packet, done);
    client.on('error', (err: Error) => {
      this.errored = true;
      const secure = /^(mqtts|wss):/.test(this.where);
      this.lastError = explainConnectError(err, secure);
      this.refused = isRefusalToFix(err, secure);
    });
    // MQTT 5: the broker says why it closes the connection.
    client.on('disconnect', (packet: IDisconnectPacket) => {
      const code = packet.reasonCode ?? 0;
      this.disconnectCode = code;
      this.refused = false;
      const said = packet.properties?.reasonString;
      this.lastError = explainDisconnect(code, typeof said === 'string' ? excerpt(said, 200) : undefined);
    });
    client.on('close', () => this.closed());
    client.connect();
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
   * Puts a new connection's stream in shape for mqtt.js: what it reads passes the oversize filter
   * (a PUBLISH over `maxPacketBytes` is replaced by a stand-in before mqtt.js's parser sees a byte
   * of it; any other oversized packet drops the connection), and what mqtt.js writes while it
   * works through a chunk is held: the PUBACKs of a read's messages then leave in one write once
   * the event loop turns, instead of one system call (and one wake-up of the broker) per message.
   */
  private guard(stream: Duplex): Duplex {
    const max = this.options.maxPacketBytes;
    const filter = createOversizeFilter({ maxBytes: max, protocolVersion: this.options.clientOptions.protocolVersion ?? 4, marker: this.marker });
    let corked = false;
    const uncork = (): void => {
      corked = false;
      stream.uncork();
    };
    stream.prependListener('data', () => {
      if (corked || stream.destroyed) return;
      corked = true;
      stream.cork();
      setImmediate(uncork);
    });
    const refuse = (size: number): void => {
      this.options.hooks.onPacketTooLarge(size);
      const what = Number.isFinite(size) ? `a packet of ${size} bytes` : 'a malformed packet length';
      stream.destroy(new MqttBridgeError('PACKET_TOO_LARGE', `the broker sent ${what}, more than max_packet_size (${formatSize(max)}) and no message; dropped the connection before reading it`));
    };
    const filtered = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (stream.destroyed) return done();
        const step = filter(chunk);
        if (!step.ok) {
          refuse(step.size);
          return done();
        }
        for (const piece of step.out) this.push(piece);
        done();
      },
    });
    // mqtt.js pipes the stream into its parser right after making it: through the filter instead.
    const pipe = stream.pipe.bind(stream);
    stream.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
      pipe(filtered, options);
      return filtered.pipe(destination, options);
    }) as typeof stream.pipe;
    return stream;
  }

  /** mqtt.js's hook for each incoming PUBLISH: it acknowledges, and reads on, once `done` is called. */
  private take(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): void {
    const oversized = oversizedSize(packet.payload as Buffer, this.marker);
    if (oversized !== undefined) {
      // A stand-in: acknowledged (so the broker lets the message go), never decoded.
      this.options.hooks.onPacketTooLarge(oversized, packet.topic);
      done();
      return;
    }
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
    this.refused = false;
    this.disconnectCode = undefined;
    this.errored = false;
    this.unanswered = 0;
    this.reconnector.connected();
    this.takeover.connected();
    this.options.hooks.onConnected(packet.sessionPresent);
    this.unsubscribeStale(client, packet.sessionPresent);
    const identifiers = this.options.clientOptions.protocolVersion === 5 && packet.properties?.subscriptionIdentifiersAvailable !== false;
    for (const sub of this.options.subscriptions) {
      // A kept session holds what was granted; subscribe again what it may not hold.
      if (!first && packet.sessionPresent && this.granted.has(sub.name)) {
        this.options.hooks.onSubscription(sub.name, { ok: true, restored: true });
        continue;
      }
      this.unanswered += 1;
      const properties = identifiers && sub.identifier !== undefined ? { properties: { subscriptionIdentifier: sub.identifier } } : {};
      client.subscribe(sub.topic, { qos: sub.qos, ...properties }, (err, granted) => {
        // mqtt.js reports a refusal as an error carrying the SUBACK, a lost connection without one.
        const suback = (err as { packet?: { granted?: unknown[] } } | null)?.packet?.granted;
        if (err && !suback) {
          // The connection went away before the SUBACK: the next connect subscribes again.
          this.granted.delete(sub.name);
          return;
        }
        this.unanswered -= 1;
        const code = suback ? suback[0] : granted?.[0]?.qos;
        const reason = typeof code === 'number' ? code : 0x80;
        if (reason >= 0x80) {
          this.granted.delete(sub.name);
          this.held.delete(sub.topic);
          this.options.hooks.onSubscription(sub.name, { ok: false, refused: REFUSALS[reason] ?? `reason code 0x${reason.toString(16)}` });
        } else {
          this.granted.add(sub.name);
          this.held.add(sub.topic);
          this.options.hooks.onSubscription(sub.name, { ok: true, restored: false });
        }
      });
    }
  }

  /**
   * A kept session still holds the filters an earlier mapping subscribed (before a reload): the
   * broker would go on sending, and queueing while the bridge is away, what nothing maps. Sent
   * before the SUBSCRIBEs, so that once those are answered the broker has let them go.
   */
  private unsubscribeStale(client: MqttClient, sessionPresent: boolean): void {
    if (!sessionPresent) this.held.clear();
    const wanted = new Set(this.options.subscriptions.map((s) => s.topic));
    const stale = [...this.held].filter((filter) => !wanted.has(filter));
    if (stale.length === 0) return;
    client.unsubscribe(stale, (err, packet) => {
      // A lost connection: the next connect tries again.
      if (err) return;
      // MQTT 5 answers each filter (mqtt.js calls back without an error either way); 3.1.1 cannot refuse.
      const codes = (packet as { granted?: unknown[] } | undefined)?.granted;
      const done: string[] = [];
      const refused: { filter: string; reason: string }[] = [];
      stale.forEach((filter, i) => {
        const code = codes?.[i];
        if (typeof code === 'number' && code >= 0x80) refused.push({ filter, reason: REFUSALS[code] ?? `reason code 0x${code.toString(16)}` });
        else done.push(filter);
      });
      for (const filter of done) this.held.delete(filter);
      this.options.hooks.onUnsubscribed(done, refused);
    });
  }

  private closed(): void {
    this.generation += 1;
    this.release();
    if (this.stopping) return;
    const client = this.client;
    const delay = this.reconnector.schedule(() => {
      if (!this.stopping && client) client.reconnect();
    });
    const wasUp = this.up;
    this.up = false;
    const secure = /^(mqtts|wss):/.test(this.where);
    const early = `the connection closed before the broker accepted it${secure ? '' : ` (${MAYBE_TLS})`}`;
    this.options.hooks.onDown(this.lastError ?? (wasUp ? 'the broker closed it' : early), delay, wasUp, this.lastError !== undefined && this.refused);
    // A connection closed before its subscriptions were answered was refused, not taken over (unless the broker says so).
    const taken = wasUp ? this.takeover.closed(this.disconnectCode, this.errored || this.unanswered > 0) : (this.takeover.failed(), undefined);
    this.lastError = undefined;
    this.refused = false;
    this.disconnectCode = undefined;
    this.errored = false;
    if (taken) this.options.hooks.onTakenOver(taken);
  }
}
