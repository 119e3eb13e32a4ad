import { createReconnector, type BridgeContext, type Channel, type Kept, type Reconnector } from '@fieldbridge/core/bridge';
import type { FrameHandler } from './_frames.js';
import { openKeptSocket, type KeptSocket, type SocketListener } from './_kept-socket.js';
import type { CanMetrics } from './_metrics.js';
import { isCanBridgeError, type CanBridgeError } from './errors.js';
import type { CanFrame } from './frames/can-frame.js';
import { interfaceIsUp } from './frames/link-state.js';
import { openSocketCan, type CanIdFilter, type SocketCanModule } from './frames/socketcan-reader.js';
import type { ResolvedCan } from './resolve.js';

/** What a {@link SocketCanBus} needs. */
export interface SocketCanBusOptions {
  name: string;
  filters: readonly CanIdFilter[];
  settings: ResolvedCan['socketcan'];
  reconnect: ResolvedCan['reconnect'];
  ctx: BridgeContext;
  channel: Channel;
  handler: FrameHandler;
  metrics: CanMetrics;
  /** Loads the `socketcan` package. Default a dynamic import, made at the first open. */
  loadModule?: () => Promise<SocketCanModule>;
  /** Where `net.core.rmem_default` is read. Default `/proc/sys/net/core`. */
  procDir?: string;
  /** Where the interface's flags and index are read (`<sysDir>/<name>/flags`). Default `/sys/class/net`. */
  sysDir?: string;
  /** How often the interface is checked for being down or gone, in ms. Default 2000. */
  linkCheckMs?: number;
}

/**
 * One SocketCAN interface, read for as long as the bridge runs: opened at start, reopened with
 * the kit's backoff when it cannot be opened or goes away (`INTERFACE_STOPPED`, also seen from
 * its index, see {@link openSocketCan}); an interface set down is reported from its flags,
 * which are checked every two seconds. The socket is kept open across SIGHUP reloads that do
 * not change how it is opened (`ctx.keepOpen`): the frames of the reload are read by the next
 * instance (see {@link KeptSocket}). Kernel stamps are placed on the sink's clock by the core's
 * device-clock estimator; the frames of a socket's first batch, which the kernel stamps with
 * the read time, are stamped with the sink's clock instead and never offered to the estimator.
 * A bus cannot wait: while the sink is full under `when_full: block`, frames are counted as
 * dropped.
 */
export class SocketCanBus {
  private readonly reconnector: Reconnector;
  private kept: Kept<KeptSocket> | undefined;
  private readonly listener: SocketListener;
  private opening: Promise<void> | undefined;
  private stopped = false;
  private everConnected = false;
  private warned = false;
  private readonly problemKey: string;
  private linkTimer: NodeJS.Timeout | undefined;
  private linkDown = false;

  constructor(private readonly o: SocketCanBusOptions) {
    this.reconnector = createReconnector({ initialMs: o.reconnect.initialMs, maxMs: o.reconnect.maxMs });
    this.problemKey = `can.${o.channel.name}.interface`;
    const { ctx, channel } = o;
    this.listener = {
      frame: (frame) => this.onFrame(frame),
      stopped: (err) => this.lost(err),
      error: (err) => ctx.logger.error({ err, bus: channel.name }, `${channel.name}: a frame could not be handled: ${(err as Error).message}`),
    };
  }

  /** Opens the interface (retrying in the background when it cannot yet), and watches whether it is up. */
  start(): void {
    this.open();
    // A socket on an interface set down stays open and reads nothing (it resumes when the
    // interface is up again): only the interface's flags tell.
    this.linkTimer = setInterval(() => void this.checkLink(), this.o.linkCheckMs ?? 2000);
    this.linkTimer.unref();
  }

  /**
   * Stops reading and cancels a pending reopen; waits for an open in flight. The socket is closed,
   * or kept for the next start where a reload can follow. Idempotent.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.linkTimer);
    this.reconnector.cancel();
    await this.opening;
    const kept = this.kept;
    this.kept = undefined;
    kept?.value.detach();
    await kept?.letGo();
  }

  private open(): void {
    if (this.stopped || this.opening) return;
    this.opening = this.tryOpen().finally(() => {
      this.opening = undefined;
    });
  }

  private async tryOpen(): Promise<void> {
    const { ctx, channel, settings } = this.o;
    let kept: Kept<KeptSocket>;
    try {
      kept = await ctx.keepOpen(`socketcan:${this.o.name}`, {
        settings: [this.o.name, settings.timestamps, this.o.filters, settings.burstFrames, this.o.procDir, this.o.sysDir, this.o.linkCheckMs],
        open: () => openKeptSocket((callbacks) => openSocketCan({ ...this.readerOptions(), ...callbacks }), this.listener),
        dispose: (socket) => socket.reader.close(),
      });
    } catch (err) {
      this.failed(err, 'open_failed');
      return;
    }
    if (this.stopped) {
      kept.value.detach();
      await kept.letGo();
      return;
    }
    this.kept = kept;
    this.linkDown = false;
    this.everConnected = true;
    this.reconnector.connected();
    const { reader } = kept.value;
    if (reader.receiveBuffer.framesHeld !== undefined) this.o.metrics.receiveBuffer(reader.receiveBuffer.framesHeld);
    ctx.problems.resolve(this.problemKey, `${channel.name}: reading again`);
    channel.set('connected', `SocketCAN ${this.o.name}`);
    // Frames that arrived while no instance read (a reload) come first; then an end seen meanwhile.
    const lost = kept.value.attach(this.listener);
    if (lost > 0) {
      ctx.metrics.error(channel.name, 'reload_overflow', lost);
      ctx.logger.warn({ bus: channel.name, frames: lost }, `${channel.name}: ${lost} frames that arrived during the reload were dropped: more than the bridge holds meanwhile`);
    }
  }

  /** How the socket is opened, but for the callbacks a {@link KeptSocket} routes. */
  private readerOptions() {
    const { ctx, channel, settings } = this.o;
    return {
      interface: this.o.name,
      timestamps: settings.timestamps === 'kernel',
      filters: this.o.filters,
      // Said when a socket opens, once per bus.
      onWarning: (message: string) => {
        if (this.warned) return;
        this.warned = true;
        ctx.logger.warn({ bus: channel.name }, `${channel.name}: ${message}`);
      },
      receiveBuffer: { burstFrames: settings.burstFrames, ...(this.o.procDir ? { procDir: this.o.procDir } : {}) },
      now: () => ctx.clock.now(),
      ...(this.o.loadModule ? { loadModule: this.o.loadModule } : {}),
      ...(this.o.sysDir ? { sysDir: this.o.sysDir } : {}),
      ...(this.o.linkCheckMs ? { watchMs: this.o.linkCheckMs } : {}),
    };
  }

  /** Reports the interface down (administratively: `ip link set can0 down`) or up again, while the socket is open. */
  private async checkLink(): Promise<void> {
    if (!this.kept || this.stopped) return;
    const { ctx, channel } = this.o;
    const up = await interfaceIsUp(this.o.name, this.o.sysDir);
    // Gone: the reader says so itself (onStopped).
    if (up === undefined) return;
    const down = !up;
    if (!this.kept || this.stopped || down === this.linkDown) return;
    this.linkDown = down;
    if (down) {
      const message = `${channel.name}: interface ${this.o.name} is down; nothing can be read until it is up (ip link set ${this.o.name} up)`;
      channel.set('disconnected', `interface ${this.o.name} is down`);
      ctx.metrics.error(channel.name, 'interface_down');
      ctx.problems.report(this.problemKey, message, { bus: channel.name });
    } else {
      ctx.problems.resolve(this.problemKey, `${channel.name}: interface ${this.o.name} is up again`);
      channel.set('connected', `SocketCAN ${this.o.name}`);
    }
  }

  private onFrame(frame: CanFrame): void {
    const { ctx, handler, settings } = this.o;
    if (ctx.flow.blocked()) return handler.drop(frame);
    let timestampMs: number;
    const deviceClock = this.kept?.value.deviceClock;
    if (settings.timestamps === 'receipt' || frame.timestampSource !== 'kernel' || !deviceClock) timestampMs = ctx.clock.now();
    // Kernel stamps are this host's wall clock; a step of that clock is seen as a restart and re-anchored.
    else timestampMs = deviceClock.place(frame.timestampMs, ctx.clock.now()).wallMs;
    handler.handle(frame, timestampMs);
  }

  /** The interface went down or away. */
  private lost(err: CanBridgeError): void {
    if (this.stopped) return;
    const kept = this.kept;
    this.kept = undefined;
    // Not kept for a later start: the next open makes a new socket.
    void kept?.discard();
    this.failed(err, 'interface_down');
  }

  /** Counts `kind`, reports the channel's state and the problem (once per episode), and schedules a reopen. */
  private failed(err: unknown, kind: 'open_failed' | 'interface_down'): void {
    const { ctx, channel } = this.o;
    ctx.metrics.error(channel.name, kind);
    const message = (err as Error).message;
    // The package has no native addon, or the kernel no AF_CAN: nothing to wait for, but a
    // module can be loaded while we run, so it is still tried now and then.
    const hopeless = isCanBridgeError(err, 'SOCKETCAN_UNAVAILABLE');
    channel.set(hopeless ? 'failed' : this.everConnected ? 'disconnected' : 'connecting', message);
    if (!isCanBridgeError(err)) ctx.logger.error({ err, bus: channel.name }, `${channel.name}: ${message}`);
    if (this.stopped) return;
    const delayMs = this.reconnector.schedule(() => this.open());
    ctx.problems.report(this.problemKey, `${channel.name}: ${message}; trying again (first in ${delayMs} ms, backing off)`, { bus: channel.name });
  }
}
