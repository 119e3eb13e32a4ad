import type { Reconnector } from '@fieldbridge/core/bridge';
import type { Timers } from '../_timers.js';
import { withTimeout } from '../_timeout.js';
import { normalizeUuid } from '../advert/advert.js';
import type { NobleCharacteristic, NoblePeripheral } from '../adapter/noble-types.js';
import { BleBridgeError, isBleBridgeError } from '../errors.js';
import type { GattDeviceState, GattEvent, GattReading } from './gatt-types.js';

/** The ATT maximum attribute length; longer values are cut to it. */
export const MAX_VALUE_BYTES = 512;

/** A target with its address and UUIDs normalized and its read interval settled. */
export interface ResolvedTarget {
  name: string;
  address: string;
  characteristics: { service?: string; characteristic: string; mode: 'notify' | 'read'; intervalMs: number }[];
}

/** What a session needs from its client. */
export interface SessionContext {
  timers: Timers;
  now(): number;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  onReading(reading: GattReading): void;
  emit(event: GattEvent): void;
  /** A reconnect policy for one device (the kit's reconnector: backoff with jitter, reset once a connection lasted). */
  reconnector(): Reconnector;
  /** Puts the session back in the connection queue. */
  requeue(session: GattSession): void;
  /** The session gave up its connection slot (failed, dropped or stopped). */
  released(session: GattSession): void;
}

const uuid = (u: string): string => normalizeUuid(u) ?? u;

/** One device's connection: set up, read or notified, dropped and retried. Driven by the client's queue. */
export class GattSession {
  state: GattDeviceState = 'waiting';
  peripheral: NoblePeripheral | undefined;
  failures = 0;
  readings = 0;
  private attempts = 0;
  private generation = 0;
  private readonly pending = new Set<unknown>();
  private readonly reconnect: Reconnector;
  private cleanups: (() => void)[] = [];

  constructor(readonly target: ResolvedTarget, private readonly ctx: SessionContext) {
    this.reconnect = ctx.reconnector();
  }

  /** Connects and sets up every characteristic; resolves when connected or when the attempt failed. */
  async setup(): Promise<void> {
    const p = this.peripheral;
    if (!p || this.state === 'stopped') return;
    const gen = ++this.generation;
    this.attempts += 1;
    this.state = 'connecting';
    this.ctx.emit({ type: 'connecting', device: this.target.name, attempt: this.attempts });
    try {
      await withTimeout(p.connectAsync(), this.ctx.connectTimeoutMs, this.ctx.timers, `connecting to ${this.target.name}`);
    } catch (err) {
      if (p.state === 'connecting') p.cancelConnect();
      return this.failed(gen, err);
    }
    if (gen !== this.generation) return;
    const onDisconnect = (reason?: number): void => this.dropped(gen, `the link was lost (HCI reason 0x${(reason ?? 0).toString(16)})`);
    p.once('disconnect', onDisconnect);
    this.cleanups.push(() => p.removeListener('disconnect', onDisconnect));
    try {
      const found = await this.discover(p, gen);
      if (gen !== this.generation) return;
      if (found.length === 0) throw new BleBridgeError('CONNECT_FAILED', `${this.target.name} has none of the characteristics asked for`);
      for (const item of found) await this.start(item, gen);
      if (gen !== this.generation) return;
      this.state = 'connected';
      this.failures = 0;
      this.reconnect.connected();
      this.ctx.emit({ type: 'connected', device: this.target.name });
    } catch (err) {
      if (gen === this.generation) this.failed(gen, err);
    }
  }

  /** Disconnects for good. */
  async stop(): Promise<void> {
    const wasLinked = this.state === 'connecting' || this.state === 'connected';
    this.state = 'stopped';
    this.teardown();
    if (wasLinked) await this.disconnect();
  }

  private async discover(p: NoblePeripheral, gen: number): Promise<{ service: string; spec: ResolvedTarget['characteristics'][number]; char: NobleCharacteristic }[]> {
    const specs = this.target.characteristics;
    const filter = specs.every((s) => s.service) ? [...new Set(specs.map((s) => s.service!))] : [];
    const services = await withTimeout(p.discoverServicesAsync(filter), this.ctx.operationTimeoutMs, this.ctx.timers, `discovering the services of ${this.target.name}`);
    const found: { service: string; spec: (typeof specs)[number]; char: NobleCharacteristic }[] = [];
    const seen = new Set<(typeof specs)[number]>();
    for (const service of services) {
      const serviceUuid = uuid(service.uuid);
      const wanted = specs.filter((s) => !seen.has(s) && (!s.service || s.service === serviceUuid));
      if (wanted.length === 0 || gen !== this.generation) continue;
      const chars = await withTimeout(service.discoverCharacteristicsAsync([]), this.ctx.operationTimeoutMs, this.ctx.timers, `discovering the characteristics of ${this.target.name}`);
      for (const spec of wanted) {
        const char = chars.find((c) => uuid(c.uuid) === spec.characteristic);
        if (!char) continue;
        seen.add(spec);
        found.push({ service: serviceUuid, spec, char });
      }
    }
    for (const spec of specs) {
      if (!seen.has(spec)) this.ctx.emit({ type: 'missing', device: this.target.name, characteristic: spec.characteristic, message: `${this.target.name} has no characteristic ${spec.characteristic}${spec.service ? ` in service ${spec.service}` : ''}` });
    }
    return found;
  }

  private async start(item: { service: string; spec: ResolvedTarget['characteristics'][number]; char: NobleCharacteristic }, gen: number): Promise<void> {
    const { service, spec, char } = item;
    if (spec.mode === 'notify') {
      const onData = (data: Buffer, isNotification: boolean): void => {
        if (isNotification && gen === this.generation) this.deliver(service, spec.characteristic, data, true);
      };
      char.on('data', onData);
      this.cleanups.push(() => char.removeListener('data', onData));
      await withTimeout(char.subscribeAsync(), this.ctx.operationTimeoutMs, this.ctx.timers, `subscribing to ${spec.characteristic} of ${this.target.name}`);
      return;
    }
    const readOnce = async (): Promise<void> => {
      const data = await withTimeout(char.readAsync(), this.ctx.operationTimeoutMs, this.ctx.timers, `reading ${spec.characteristic} of ${this.target.name}`);
      if (gen === this.generation) this.deliver(service, spec.characteristic, data, false);
    };
    const schedule = (): void => {
      const timer = this.ctx.timers.setTimeout(() => {
        this.pending.delete(timer);
        if (gen !== this.generation) return;
        readOnce().then(schedule, (err: unknown) => {
          if (gen !== this.generation) return;
          this.ctx.emit({ type: 'read_failed', device: this.target.name, characteristic: spec.characteristic, message: (err as Error).message });
          this.dropped(gen, `a read failed (${(err as Error).message})`);
          void this.disconnect();
        });
      }, spec.intervalMs);
      this.pending.add(timer);
    };
    await readOnce();
    schedule();
  }

  private deliver(service: string, characteristic: string, data: Uint8Array, notification: boolean): void {
    this.readings += 1;
    const value = Uint8Array.prototype.slice.call(data, 0, MAX_VALUE_BYTES);
    this.ctx.onReading({ device: this.target.name, address: this.target.address, service, characteristic, data: value, t: this.ctx.now(), notification });
  }

  private teardown(): void {
    this.generation += 1;
    for (const timer of this.pending) this.ctx.timers.clearTimeout(timer);
    this.pending.clear();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private retry(delayMs: number): void {
    const timer = this.ctx.timers.setTimeout(() => {
      this.pending.delete(timer);
      if (this.state === 'backoff') this.ctx.requeue(this);
    }, delayMs);
    this.pending.add(timer);
  }

  private failed(gen: number, err: unknown): void {
    if (gen !== this.generation || this.state === 'stopped') return;
    const linked = this.peripheral?.state === 'connected';
    this.teardown();
    this.failures += 1;
    const retryInMs = this.reconnect.failed();
    this.state = 'backoff';
    const error = isBleBridgeError(err) ? err : new BleBridgeError('CONNECT_FAILED', `${this.target.name}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    this.ctx.emit({ type: 'connect_failed', device: this.target.name, error, retryInMs });
    this.retry(retryInMs);
    if (linked) void this.disconnect();
    this.ctx.released(this);
  }

  private dropped(gen: number, reason: string): void {
    if (gen !== this.generation) return;
    if (this.state === 'connecting') return this.failed(gen, new BleBridgeError('CONNECT_FAILED', `${this.target.name}: ${reason} while setting up`));
    if (this.state !== 'connected') return;
    this.teardown();
    const retryInMs = this.reconnect.failed();
    this.state = 'backoff';
    this.ctx.emit({ type: 'disconnected', device: this.target.name, reason, retryInMs });
    this.retry(retryInMs);
    this.ctx.released(this);
  }

  private async disconnect(): Promise<void> {
    const p = this.peripheral;
    if (!p || p.state === 'disconnected') return;
    try {
      await withTimeout(p.disconnectAsync(), this.ctx.operationTimeoutMs, this.ctx.timers, `disconnecting from ${this.target.name}`);
    } catch (err) {
      // The link is being given up either way; an unconfirmed disconnect is reported and left to the adapter.
      this.ctx.emit({ type: 'warning', device: this.target.name, message: `disconnecting: ${(err as Error).message}` });
    }
  }
}
