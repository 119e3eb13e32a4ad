import { realTimers, type Timers } from '../_timers.js';
import { withTimeout } from '../_timeout.js';
import type { Advert } from '../advert/advert.js';
import { BleBridgeError } from '../errors.js';
import { explainAdapterError, stateError } from './adapter-errors.js';
import type { LoadedNoble } from './load-noble.js';
import type { NobleState, NoblePeripheral } from './noble-types.js';
import { peripheralToAdvert } from './peripheral-advert.js';
import { forgetPeripheral, initBindings, releaseSigint } from './noble-quirks.js';
import { applyScanMode } from './scan-mode.js';

/** Where the scanner is: `scanning`; `powered_off` (waiting for the adapter to come back); `resetting`; `stopped`. */
export type ScannerStatus = 'starting' | 'scanning' | 'powered_off' | 'resetting' | 'stopped';

/** Things that went wrong without stopping the scan, by kind. */
export type ScanProblemKind =
  /** A discovery without a usable address (dropped). */
  | 'no_address'
  /** A field past ADVERT_LIMITS was dropped from an advert. */
  | 'oversized'
  /** Starting or restarting the scan failed; it is retried. */
  | 'scan_failed'
  /** Passive scanning was asked for but these bindings scan actively. */
  | 'passive_unsupported'
  /** noble warned (an unknown peripheral, an initialization hiccup). */
  | 'adapter_warning'
  /** The onAdvert handler threw. */
  | 'handler_failed';

/** Options of {@link createScanner}. */
export interface ScannerOptions {
  /** `active` (default) asks for scan responses, which carry many devices' names; `passive` only listens. */
  mode?: 'active' | 'passive';
  /** Only adverts naming one of these services; default all. */
  serviceUuids?: string[];
  /** Every advert heard (duplicates included), bounded and stamped with `now()`. */
  onAdvert(advert: Advert): void;
  /** Status changes, with the reason for `powered_off`/`stopped` where one is known. */
  onStatus?(status: ScannerStatus, detail?: string): void;
  /** Problems that do not stop the scan. */
  onProblem?(kind: ScanProblemKind, message: string): void;
  /** Epoch ms clock for advert stamps. Default `Date.now`. */
  now?(): number;
  /** How long the adapter may take to report its first state, and a scan start or stop to be confirmed, in ms. Default 10 000. */
  stateTimeoutMs?: number;
  /** Wait before restarting a scan that stopped on its own or failed to start, in ms. Default 1000. */
  restartDelayMs?: number;
  /**
   * Devices noble may remember; past this the least recently heard one that is not connected
   * is forgotten (noble itself never forgets, which grows without end among rotating random
   * addresses). Default 10 000.
   */
  maxDevices?: number;
  /** Devices never to forget, whatever `maxDevices` says (GATT targets, which reconnect through noble's memory). */
  keepDevice?(address: string): boolean;
  timers?: Timers;
}

/** A running scan. */
export interface Scanner {
  /**
   * Opens the adapter and starts scanning with duplicates allowed. Resolves once scanning, or
   * once the adapter reported `poweredOff` (scanning then starts when it powers on). Rejects
   * with a {@link BleBridgeError} when there is no Bluetooth, no permission, no adapter or no
   * BLE support. Scanning resumes by itself after the adapter powers off and on again.
   */
  start(): Promise<void>;
  /** Stops scanning and detaches from noble. Idempotent. */
  stop(): Promise<void>;
  readonly status: ScannerStatus;
  /** Adverts delivered so far. */
  readonly adverts: number;
}

/** Creates a scanner over a loaded noble (see `loadNoble`). */
export function createScanner(loaded: LoadedNoble, options: ScannerOptions): Scanner {
  const { noble, bindings } = loaded;
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const stateTimeoutMs = options.stateTimeoutMs ?? 10_000;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const problem = (kind: ScanProblemKind, message: string): void => options.onProblem?.(kind, message);
  // The manufacturer data object noble reported last per device; see peripheralToAdvert.
  const lastManufacturer = new WeakMap<object, unknown>();
  let status: ScannerStatus = 'stopped';
  let wanted = false;
  let scanning = false;
  let starting: Promise<void> | undefined;
  let restartTimer: unknown;
  let adverts = 0;
  // Bumped by stop(), so an open() still waiting for the adapter does not start scanning after it.
  let epoch = 0;
  const maxDevices = options.maxDevices ?? 10_000;
  // Devices heard, least recently first (a Map keeps insertion order; hearing one moves it last).
  const heard = new Map<string, NoblePeripheral>();

  const remember = (peripheral: NoblePeripheral): void => {
    heard.delete(peripheral.id);
    heard.set(peripheral.id, peripheral);
    // Look at a few of the oldest only, so one advert costs O(1) even when many are protected.
    for (let tries = 0; heard.size > maxDevices && tries < 8; tries++) {
      const [id, oldest] = heard.entries().next().value as [string, NoblePeripheral];
      heard.delete(id);
      if (oldest.state !== 'disconnected' || options.keepDevice?.(String(oldest.address).toLowerCase())) heard.set(id, oldest);
      else forgetPeripheral(noble, bindings, id, oldest.address);
    }
  };

  const setStatus = (next: ScannerStatus, detail?: string): void => {
    if (next === status) return;
    status = next;
    options.onStatus?.(next, detail);
  };

  const scheduleRestart = (): void => {
    if (restartTimer !== undefined || !wanted) return;
    restartTimer = timers.setTimeout(() => {
      restartTimer = undefined;
      if (wanted && !scanning && noble.state === 'poweredOn') void beginScan();
    }, restartDelayMs);
  };

  const beginScan = async (): Promise<void> => {
    try {
      await withTimeout(noble.startScanningAsync(options.serviceUuids ?? [], true), stateTimeoutMs, timers, 'starting the scan');
      if (!wanted) {
        // stop() came while the scan was starting: switch it off again. Nobody waits for the
        // confirmation, so a failure to confirm has nowhere to go.
        noble.stopScanningAsync().then(undefined, () => undefined);
        return;
      }
      scanning = true;
      setStatus('scanning');
    } catch (err) {
      problem('scan_failed', `the scan did not start: ${(err as Error).message}; retrying in ${restartDelayMs} ms`);
      scheduleRestart();
    }
  };

  const onStateChange = (state: NobleState): void => {
    if (!wanted) return;
    if (state === 'poweredOn') {
      if (!scanning) void beginScan();
      return;
    }
    scanning = false;
    if (state === 'poweredOff') setStatus('powered_off', 'the Bluetooth adapter is powered off (rfkill, bluetoothctl power off, or unplugged); scanning resumes when it powers on');
    else if (state === 'resetting') setStatus('resetting');
    else setStatus('powered_off', stateError(state)?.message ?? `adapter state ${state}`);
  };

  const onScanStop = (): void => {
    if (!wanted || !scanning) return;
    scanning = false;
    scheduleRestart();
  };

  const onDiscover = (peripheral: NoblePeripheral): void => {
    remember(peripheral);
    const data = peripheral.advertisement?.manufacturerData;
    const fresh = lastManufacturer.get(peripheral) !== data;
    lastManufacturer.set(peripheral, data);
    const result = peripheralToAdvert(peripheral, now(), fresh);
    if (!result.ok) return problem('no_address', result.reason);
    if (result.trimmed.length > 0) problem('oversized', `${result.advert.address}: dropped ${result.trimmed.join(', ')} past the advert size limits`);
    adverts += 1;
    try {
      options.onAdvert(result.advert);
    } catch (err) {
      problem('handler_failed', `the advert handler threw: ${(err as Error).message}`);
    }
  };

  const onWarning = (message: string): void => problem('adapter_warning', String(message));

  const detach = (): void => {
    noble.removeListener('stateChange', onStateChange);
    noble.removeListener('scanStop', onScanStop);
    noble.removeListener('discover', onDiscover);
    noble.removeListener('warning', onWarning);
  };

  // Ends a wait for the adapter's first state early, when stop() comes during it.
  let cancelWait: (() => void) | undefined;

  /** The adapter's first definite state, NO_ADAPTER when it reports none in time, or undefined when stopped meanwhile. */
  const firstState = (): Promise<NobleState | undefined> => {
    if (noble.state !== 'unknown' && noble.state !== 'resetting') return Promise.resolve(noble.state);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        timers.clearTimeout(timer);
        noble.removeListener('stateChange', listener);
        cancelWait = undefined;
      };
      const timer = timers.setTimeout(() => {
        finish();
        reject(new BleBridgeError('NO_ADAPTER', `the Bluetooth adapter reported no state within ${stateTimeoutMs} ms: check that it is plugged in and up (hciconfig -a)`));
      }, stateTimeoutMs);
      const listener = (state: NobleState): void => {
        if (state === 'unknown' || state === 'resetting') return;
        finish();
        resolve(state);
      };
      cancelWait = () => {
        finish();
        resolve(undefined);
      };
      noble.on('stateChange', listener);
    });
  };

  const open = async (): Promise<void> => {
    setStatus('starting');
    const mode = options.mode ?? 'active';
    if (!applyScanMode(bindings, mode)) problem('passive_unsupported', 'these Bluetooth bindings only scan actively; scanning actively');
    try {
      // Initializing the bindings here, synchronously, makes a socket error surface as this
      // call's exception rather than as a noble warning.
      initBindings(noble, bindings);
    } catch (err) {
      throw explainAdapterError(err);
    }
    releaseSigint(bindings);
    const opened = epoch;
    const state = await firstState();
    if (opened !== epoch || state === undefined) return;
    const fatal = stateError(state);
    if (fatal) throw fatal;
    wanted = true;
    noble.on('stateChange', onStateChange);
    noble.on('scanStop', onScanStop);
    noble.on('discover', onDiscover);
    noble.on('warning', onWarning);
    if (state === 'poweredOn') await beginScan();
    else onStateChange(state);
  };

  return {
    start() {
      starting ??= open().catch((err: unknown) => {
        wanted = false;
        detach();
        setStatus('stopped', (err as Error).message);
        starting = undefined;
        throw err;
      });
      return starting;
    },
    async stop() {
      epoch += 1;
      cancelWait?.();
      const wasScanning = scanning;
      wanted = false;
      scanning = false;
      starting = undefined;
      if (restartTimer !== undefined) timers.clearTimeout(restartTimer);
      restartTimer = undefined;
      detach();
      if (wasScanning && noble.state === 'poweredOn') {
        try {
          await withTimeout(noble.stopScanningAsync(), stateTimeoutMs, timers, 'stopping the scan');
        } catch (err) {
          problem('scan_failed', `the scan did not confirm its stop: ${(err as Error).message}`);
        }
      }
      setStatus('stopped');
    },
    get status() {
      return status;
    },
    get adverts() {
      return adverts;
    },
  };
}
