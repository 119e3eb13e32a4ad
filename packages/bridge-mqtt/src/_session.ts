import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { createReconnector, excerpt, type Reconnector } from '@fieldbridge/core/bridge';
import type { IClientOptions, IConnackPacket, IDisconnectPacket, IPublishPacket, MqttClient } from 'mqtt';
import { guardStream } from './_guarded-stream.js';
import { refusalReason } from './_refusal-codes.js';
import { oversizedSize } from './_oversize-filter.js';
import { createTakeoverWatch, type TakeoverWatch } from './_takeover.js';
import type { SessionOptions } from './_session-types.js';
import { explainConnectError, explainDisconnect, isRefusalToFix, MAYBE_TLS } from './errors.js';

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
    builder.streamBuilder = (c) =>
      guardStream(build.call(client, c), {
        maxBytes: this.options.maxPacketBytes,
        protocolVersion: this.options.clientOptions.protocolVersion ?? 4,
        marker: this.marker,
        onTooLarge: (size) => this.options.hooks.onPacketTooLarge(size),
      });
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
          this.options.hooks.onSubscription(sub.name, { ok: false, refused: refusalReason(reason) });
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
        if (typeof code === 'number' && code >= 0x80) refused.push({ filter, reason: refusalReason(code) });
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
