import { createReconnector, type BridgeContext, type Channel, type Reconnector } from '@fieldbridge/core/bridge';
import type { Timers } from './_timers.js';
import type { Router } from './_router.js';
import { explainAdapterError } from './adapter/adapter-errors.js';
import { loadNoble, type LoadedNoble } from './adapter/load-noble.js';
import { releaseBindings } from './adapter/noble-quirks.js';
import type { NobleBindings } from './adapter/noble-types.js';
import { createScanner, type Scanner, type ScannerStatus } from './adapter/scanner.js';
import { createGattClient, type GattClient } from './gatt/gatt-client.js';
import type { ResolvedBle, ResolvedSource } from './resolve.js';

/** What the adapter link needs. */
export interface AdapterLinkOptions {
  ctx: BridgeContext;
  config: ResolvedBle;
  source: Extract<ResolvedSource, { kind: 'adapter' }>;
  /** The adapter's channel (required: the bridge is ready while it scans). */
  channel: Channel;
  router: Router;
  /** Bindings to drive instead of the platform's; called at each attempt to open the adapter. */
  bindings?: () => NobleBindings;
  timers?: Timers;
  random?: () => number;
  /** The adapter stopped hearing (powered off, resetting) or hears again (scanning). */
  onListening?: (listening: boolean) => void;
}

/**
 * The Bluetooth adapter: loads noble (only here), scans with duplicates, runs the GATT client
 * beside the scanner, and reports the adapter's state on its channel. A missing adapter, kernel
 * support or permission either fails `start()` (`when_missing: exit`, the command exits 1 saying
 * what is missing) or is retried with the kit's reconnector (`wait`). `stop()` lets go of noble's
 * bindings so nothing of them keeps the process alive.
 */
export class AdapterLink {
  private loaded: LoadedNoble | undefined;
  private scanner: Scanner | undefined;
  private gatt: GattClient | undefined;
  private readonly reconnector: Reconnector;
  private stopped = false;
  private readonly gattAddresses: Set<string>;

  constructor(private readonly o: AdapterLinkOptions) {
    this.reconnector = createReconnector({ ...o.config.reconnect, ...(o.random ? { random: o.random } : {}) });
    this.gattAddresses = new Set(o.config.devices.flatMap((d) => (d.decoder === 'gatt' && d.match.by === 'address' ? [d.match.address] : [])));
  }

  /** Opens the adapter; with `when_missing: wait` resolves at once and keeps trying in the background. */
  async start(): Promise<void> {
    if (this.o.source.whenMissing === 'wait') {
      void this.attempt();
      return;
    }
    try {
      await this.open();
    } catch (err) {
      await this.close();
      const error = explainAdapterError(err);
      this.o.channel.set('failed', error.message);
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnector.cancel();
    await this.close();
  }

  /** One try at opening the adapter (`when_missing: wait`); a failure schedules the next. Never rejects. */
  private async attempt(): Promise<void> {
    const { ctx, channel } = this.o;
    try {
      await this.open();
    } catch (err) {
      await this.close();
      if (this.stopped) return;
      const error = explainAdapterError(err);
      ctx.metrics.error(channel.name, error.code.toLowerCase());
      const delay = this.reconnector.schedule(() => void this.attempt());
      ctx.problems.report('ble.adapter.missing', `${error.message} (trying again with backoff)`, { code: error.code });
      channel.set('disconnected', `${error.message}; trying again in ${delay} ms`);
    }
  }

  private async open(): Promise<void> {
    const { ctx, source, config, router, channel } = this.o;
    const loaded = await loadNoble({ ...(this.o.bindings ? { bindings: this.o.bindings() } : {}), ...(source.hci !== undefined ? { deviceId: source.hci } : {}) });
    this.loaded = loaded;
    if (this.stopped) return this.close();
    const scanner = createScanner(loaded, {
      mode: source.mode,
      maxDevices: source.maxDevices,
      keepDevice: (address) => this.gattAddresses.has(address),
      now: () => ctx.clock.now(),
      onAdvert: (advert) => router.advert(advert),
      onStatus: (status, detail) => this.status(status, detail),
      onProblem: (kind, message) => {
        ctx.metrics.error(channel.name, kind);
        ctx.problems.report(`ble.adapter.${kind}`, message, { kind });
      },
      ...(this.o.timers ? { timers: this.o.timers } : {}),
    });
    this.scanner = scanner;
    await scanner.start();
    if (this.stopped) return;
    this.reconnector.connected();
    const targets = config.devices.flatMap((d) => (d.decoder === 'gatt' && d.match.by === 'address' ? [{ name: d.name, address: d.match.address, characteristics: d.characteristics.map((c) => ({ characteristic: c.uuid, mode: c.mode, intervalMs: c.intervalMs, ...(c.service ? { service: c.service } : {}) })) }] : []));
    if (targets.length === 0) return;
    this.gatt = createGattClient(loaded, {
      targets,
      maxConnections: config.gatt.maxConnections,
      connectTimeoutMs: config.gatt.connectTimeoutMs,
      operationTimeoutMs: config.gatt.operationTimeoutMs,
      reconnect: config.reconnect,
      now: () => ctx.clock.now(),
      onReading: (reading) => router.reading(reading),
      onEvent: (event) => router.gattEvent(event),
      ...(this.o.timers ? { timers: this.o.timers } : {}),
      ...(this.o.random ? { random: this.o.random } : {}),
    });
    this.gatt.start();
  }

  private status(status: ScannerStatus, detail?: string): void {
    const { channel, ctx } = this.o;
    if (status === 'scanning') {
      ctx.problems.resolve('ble.adapter.missing', 'the Bluetooth adapter is there: scanning');
      ctx.problems.resolve('ble.adapter.scan_failed', 'scanning again');
      channel.set('connected', 'scanning');
      this.o.onListening?.(true);
    } else if (status === 'powered_off' || status === 'resetting') {
      channel.set('disconnected', detail ?? `the adapter is ${status.replace('_', ' ')}`);
      this.o.onListening?.(false);
    }
  }

  private async close(): Promise<void> {
    const { gatt, scanner, loaded } = this;
    this.gatt = undefined;
    this.scanner = undefined;
    this.loaded = undefined;
    await gatt?.stop();
    await scanner?.stop();
    if (loaded) releaseBindings(loaded.bindings);
  }
}
