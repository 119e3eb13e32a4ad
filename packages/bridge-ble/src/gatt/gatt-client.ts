import { createReconnector } from '@fieldbridge/core/bridge';
import { realTimers, type Timers } from '../_timers.js';
import { normalizeAddress, normalizeUuid } from '../advert/advert.js';
import type { LoadedNoble } from '../adapter/load-noble.js';
import type { NoblePeripheral } from '../adapter/noble-types.js';
import { BleBridgeError } from '../errors.js';
import { GattSession, type ResolvedTarget } from './_gatt-session.js';
import type { GattDeviceStatus, GattEvent, GattReading, GattTarget } from './gatt-types.js';

/** Options of {@link createGattClient}. */
export interface GattClientOptions {
  targets: GattTarget[];
  /** Every value read or notified. */
  onReading(reading: GattReading): void;
  /** Connection events: connecting, connected, disconnected, connect_failed, missing, read_failed, warning. */
  onEvent?(event: GattEvent): void;
  /**
   * Connections held open at once. Default 5. Whatever the limit, connections are set up one
   * at a time: an adapter handles one LE connection attempt at a time, so attempts queue.
   */
  maxConnections?: number;
  /** Wait for a connection to be established, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Wait for a discovery, read, subscribe or disconnect, in ms. Default 5000. */
  operationTimeoutMs?: number;
  /**
   * Reconnect backoff per device, the kit's reconnector: first delay `initialMs` (default 1000),
   * doubling with ±20 % jitter up to `maxMs` (default 60 000); it starts over once a connection
   * has lasted 30 s, so a device that drops at once gets ever longer pauses.
   */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Monotonic ms clock for the reconnect policy. Default `performance.now()`. */
  monotonicNow?(): number;
  /** Epoch ms clock for readings. Default `Date.now`. */
  now?(): number;
  timers?: Timers;
  /** [0, 1) source for backoff jitter. Default `Math.random`. */
  random?(): number;
}

/** A running GATT client. */
export interface GattClient {
  /** Listens for the targets among discovered devices (a scan must be running) and connects to them. */
  start(): void;
  /** Disconnects from every device and stops reconnecting. Idempotent. */
  stop(): Promise<void>;
  status(): GattDeviceStatus[];
}

function resolveTarget(target: GattTarget): ResolvedTarget {
  const address = normalizeAddress(target.address);
  if (!address) throw new BleBridgeError('CONFIG', `GATT device ${target.name}: "${target.address}" is not a Bluetooth address like a4:c1:38:12:34:56`);
  if (target.characteristics.length === 0) throw new BleBridgeError('CONFIG', `GATT device ${target.name}: name at least one characteristic`);
  return {
    name: target.name,
    address,
    characteristics: target.characteristics.map((c) => {
      const characteristic = normalizeUuid(c.characteristic);
      const service = c.service === undefined ? undefined : normalizeUuid(c.service);
      if (!characteristic || (c.service !== undefined && !service)) throw new BleBridgeError('CONFIG', `GATT device ${target.name}: "${c.service ?? ''}/${c.characteristic}" is not a service/characteristic UUID`);
      const intervalMs = c.intervalMs ?? 60_000;
      if (c.mode === 'read' && (!Number.isFinite(intervalMs) || intervalMs < 100)) throw new BleBridgeError('CONFIG', `GATT device ${target.name}: read interval ${intervalMs} ms is below 100 ms`);
      return { characteristic, mode: c.mode, intervalMs, ...(service ? { service } : {}) };
    }),
  };
}

/**
 * Connects to named devices and reads their characteristics on an interval or subscribes to
 * their notifications, through noble. Devices are found among the discoveries of the running
 * scan; connections are set up one at a time through a queue and at most `maxConnections` are
 * held; every GATT operation is bounded by a timeout; a device that drops, fails to connect or
 * stops answering reads is reconnected with backoff. Validates the targets once and throws a
 * `CONFIG` {@link BleBridgeError} naming a bad one.
 */
export function createGattClient(loaded: Pick<LoadedNoble, 'noble'>, options: GattClientOptions): GattClient {
  const { noble } = loaded;
  const timers = options.timers ?? realTimers;
  const maxConnections = options.maxConnections ?? 5;
  const retry = { initialMs: options.reconnect?.initialMs ?? 1000, maxMs: options.reconnect?.maxMs ?? 60_000 };
  const emit = (event: GattEvent): void => options.onEvent?.(event);
  const sessions = new Map<string, GattSession>();
  const queue: GattSession[] = [];
  let busy = false;
  let running = false;

  const active = (): number => [...sessions.values()].filter((s) => s.state === 'connecting' || s.state === 'connected').length;

  const pump = (): void => {
    if (busy || !running || queue.length === 0 || active() >= maxConnections) return;
    const session = queue.shift()!;
    busy = true;
    void session.setup().finally(() => {
      busy = false;
      pump();
    });
  };

  const enqueue = (session: GattSession): void => {
    if (!running || session.state === 'queued' || session.state === 'connecting' || session.state === 'connected' || session.state === 'stopped') return;
    session.state = 'queued';
    queue.push(session);
    pump();
  };

  const context = {
    timers,
    now: options.now ?? Date.now,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    operationTimeoutMs: options.operationTimeoutMs ?? 5000,
    onReading(reading: GattReading) {
      try {
        options.onReading(reading);
      } catch (err) {
        emit({ type: 'warning', device: reading.device, message: `the reading handler threw: ${(err as Error).message}` });
      }
    },
    emit,
    reconnector: () => createReconnector({ ...retry, ...(options.random ? { random: options.random } : {}), ...(options.monotonicNow ? { now: options.monotonicNow } : {}) }),
    requeue: enqueue,
    released: () => pump(),
  };
  for (const target of options.targets) {
    const resolved = resolveTarget(target);
    if (sessions.has(resolved.address)) throw new BleBridgeError('CONFIG', `GATT device ${target.name}: address ${resolved.address} is mapped twice`);
    sessions.set(resolved.address, new GattSession(resolved, context));
  }

  const onDiscover = (peripheral: NoblePeripheral): void => {
    const address = typeof peripheral.address === 'string' ? normalizeAddress(peripheral.address) : undefined;
    const session = address ? sessions.get(address) : undefined;
    if (!session || session.peripheral) return;
    session.peripheral = peripheral;
    enqueue(session);
  };

  return {
    start() {
      if (running) return;
      running = true;
      noble.on('discover', onDiscover);
      for (const session of sessions.values()) if (session.peripheral) enqueue(session);
    },
    async stop() {
      running = false;
      noble.removeListener('discover', onDiscover);
      queue.length = 0;
      await Promise.all([...sessions.values()].map((s) => s.stop()));
    },
    status() {
      return [...sessions.values()].map((s) => ({ device: s.target.name, address: s.target.address, state: s.state, failures: s.failures, readings: s.readings }));
    },
  };
}
