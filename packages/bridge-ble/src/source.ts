import type { Readable } from 'node:stream';
import { createKeyedProblems, type BridgeContext, type BridgeInstance, type SourceState } from '@fieldbridge/core/bridge';
import { AdapterLink } from './_adapter.js';
import { liveDataTime, recordedDataTime } from './_data-time.js';
import { createBleMetrics } from './_metrics.js';
import { ReplayLink } from './_replay.js';
import { repeatMemory } from './_repeat-memory.js';
import { createRouter } from './_router.js';
import { realTimers, type Timers } from './_timers.js';
import { DeviceTracker } from './_tracker.js';
import type { NobleBindings } from './adapter/noble-types.js';
import type { Advert } from './advert/advert.js';
import type { BleConfig } from './config.js';
import { BleBridgeError } from './errors.js';
import { openRecordWriter, type RecordWriter } from './record/record-writer.js';
import { resolveBle } from './resolve.js';

/** Options of {@link createBleSource}: the lowest layer, for the simulated adapter, tests and benchmarks. */
export interface BleSourceOptions {
  /**
   * Bindings for noble to drive instead of the platform's HCI socket (a `SimulatedBindings`, or
   * another noble bindings object); called each time the adapter is opened. Default: the
   * platform's, created in `start()`.
   */
  bindings?: () => NobleBindings;
  /** Timers of the adapter layer and the silence check. Default the process's, unref()ed. */
  timers?: Timers;
  /** [0, 1) source for reconnect jitter. Default `Math.random`. */
  random?: () => number;
  /** Standard input, for `replay: "-"`. Default `process.stdin`. */
  stdin?: Readable;
}

/** A device being heard, as {@link BleSource.devices} reports it. */
export interface BleDeviceStatus {
  /** Its channel: the entry's name, plus (entries matched by name or beacon id) `/address`, or `/<identity>` for a device whose address changes. */
  channel: string;
  /** The device entry's name. */
  device: string;
  address: string;
  /** The advertised name last heard. */
  name?: string;
  state: SourceState;
  /** When it was last heard (advert, value or connection), ms since the epoch. */
  lastHeardMs: number;
}

/** The BLE bridge instance, plus a way to feed adverts and a view of the devices heard. */
export interface BleSource extends BridgeInstance {
  /**
   * Handles one advert as if the adapter had heard it: recorded (when recording), matched,
   * decoded and emitted. For library users with a radio of their own (an ESPHome proxy, a
   * gateway's MQTT feed) and for benchmarks.
   */
  ingest(advert: Advert): void;
  /** The mapped devices heard and not yet silent. */
  devices(): BleDeviceStatus[];
  /**
   * Resolves when there is nothing more to read: the replay file ended (a looping replay never
   * does), or the source was stopped. An adapter is read until stopped.
   */
  finished(): Promise<void>;
}

/**
 * Creates the BLE source on the bridge context: the adapter (or the replay file) is the
 * required channel, each physical device heard an optional channel under it that closes when
 * the device goes silent. Nothing is opened and noble is not loaded until `start()`. Throws a
 * `CONFIG` {@link BleBridgeError} for a section that `checkBle` refuses.
 */
export function createBleSource(section: BleConfig, ctx: BridgeContext, options: BleSourceOptions = {}): BleSource {
  const { config, issues } = resolveBle(section);
  if (issues.length > 0) throw new BleBridgeError('CONFIG', `the ble section is invalid: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const timers = options.timers ?? realTimers;
  const parent = config.source.kind === 'replay' ? 'replay' : 'adapter';
  const channel = ctx.channel(parent);
  const metrics = createBleMetrics(ctx.registry);
  const problems = createKeyedProblems(ctx.problems, { prefix: 'ble' });
  // Adverts heard live are stamped by the sink's clock, which steps: silence and rates are timed apart from it.
  const time = config.source.kind === 'replay' ? recordedDataTime(ctx.clock) : liveDataTime(ctx.clock);
  const { bthome, frames } = repeatMemory(ctx, config);
  const tracker = new DeviceTracker(ctx, parent, config.devices, metrics, problems, time, frames);
  let writer: RecordWriter | undefined;
  const router = createRouter({ ctx, devices: config.devices, parent, metrics, tracker, problems, state: bthome, frames, time, record: () => writer });
  let link: AdapterLink | ReplayLink | undefined;
  let sweepTimer: unknown;
  let started = false;
  let stopping: Promise<void> | undefined;
  let end: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (end = resolve));
  // A record file read to its end ends the command, as a CAN log or a .tlog does (not a looping one).
  let ranOut: (said: string) => void = () => undefined;
  const fileEnded = config.source.kind === 'replay' && !config.source.loop ? new Promise<string>((resolve) => (ranOut = resolve)) : undefined;
  // A running bridge keeps the process alive until stopped, as a server does: once a replay
  // file ended, or over bindings that hold no socket, nothing else would (and the sink could
  // still be delivering). Every other timer of the source is unref()ed.
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  // Silence is looked for on the clock adverts are timed on, so a silent device is found even when nothing else is heard.
  const sweepLater = (): void => {
    sweepTimer = timers.setTimeout(() => {
      tracker.sweep(time.now());
      sweepLater();
    }, tracker.sweepEveryMs);
  };

  return {
    async start() {
      if (started || stopping) return;
      started = true;
      if (config.record !== undefined) {
        const opened = await openRecordWriter(config.record);
        // stop() came while the file was opening: it had nothing to close yet.
        if (stopping) return opened.close();
        writer = opened;
      }
      keepAlive = setInterval(() => undefined, 2_147_483_647);
      tracker.expectNamed(config.source.kind === 'replay');
      if (config.source.kind === 'replay') {
        // Each pass of a looping replay plays the same encryption counters and readings again: neither replays nor repeats.
        const onRestart = (): void => {
          bthome.forget();
          frames.clear();
        };
        const replay = new ReplayLink({ ctx, source: config.source, channel, router, onRestart, ...(options.stdin ? { stdin: options.stdin } : {}) });
        link = replay;
        replay.start();
        void replay.done().then((said) => {
          end();
          if (said !== undefined) ranOut(said);
        });
        return;
      }
      const { bindings, random } = options;
      // A tag cannot be heard while the adapter is off: its silence then is not the tag's.
      const onListening = (listening: boolean): void => tracker.setListening(listening, time.now());
      link = new AdapterLink({ ctx, config, source: config.source, channel, router, timers, onListening, ...(bindings ? { bindings } : {}), ...(random ? { random } : {}) });
      try {
        await link.start();
      } catch (err) {
        // Nobody will call stop() on a bridge that could not start: close what start() opened.
        clearInterval(keepAlive);
        await writer?.close();
        throw err;
      }
      if (!stopping) sweepLater();
    },

    stop() {
      stopping ??= (async () => {
        if (sweepTimer !== undefined) timers.clearTimeout(sweepTimer);
        sweepTimer = undefined;
        await link?.stop();
        await writer?.close();
        clearInterval(keepAlive);
        end();
      })();
      return stopping;
    },

    ingest(advert) {
      router.advert(advert);
    },

    finished: () => ended,
    ...(fileEnded ? { ended: fileEnded } : {}),

    devices() {
      return [...tracker.all()].map((t) => ({
        channel: t.channel.name,
        device: t.device.name,
        address: t.address,
        ...(t.name !== undefined ? { name: t.name } : {}),
        state: t.channel.state(),
        lastHeardMs: time.stampOf(t.lastHeardMs),
      }));
    },
  };
}
