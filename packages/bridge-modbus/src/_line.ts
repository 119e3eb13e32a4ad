import type { ProblemReporter } from '@fieldbridge/core';
import { openClient, type ModbusClient } from './client.js';
import { formatConnection, lineKey, type ConnectionSpec } from './connection.js';
import { ModbusBridgeError } from './errors.js';

/** Requests in a row that may time out on a network line before its socket is presumed dead. */
export const TIMEOUTS_BEFORE_RECONNECT = 3;

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs` doubling up to `maxMs`,
 * with "equal jitter" (between half and all of it) so devices restarted together do not
 * reconnect in lockstep.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** What a line tells its devices. */
export interface LineHooks {
  onUp(): void;
  onDown(reason: string): void;
  onConnectFailed(error: Error): void;
}

/** Options of a {@link Line}. */
export interface LineOptions {
  spec: ConnectionSpec;
  /** Connect timeout in ms. */
  connectTimeoutMs: number;
  reconnect: { initialMs: number; maxMs: number };
  problems: ProblemReporter;
  hooks: LineHooks;
  /** Opens a client; modbus-serial by default. */
  open?: (spec: ConnectionSpec, timeoutMs: number) => Promise<ModbusClient>;
  random?: () => number;
}

/**
 * One physical line (a socket or a serial port) shared by every device that names it. It
 * serialises requests, so unit ids on one serial line take turns and never collide, and it
 * reconnects with backoff after the connection goes away.
 */
export class Line {
  readonly key: string;
  readonly label: string;
  private client: ModbusClient | undefined;
  private connecting: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private keepTrying = false;
  private stopped = false;
  private lastError: Error | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private timeoutsInARow = 0;

  constructor(private readonly options: LineOptions) {
    this.key = lineKey(options.spec);
    this.label = formatConnection(options.spec);
  }

  /** True while connected. */
  get isUp(): boolean {
    return this.client !== undefined;
  }

  /** Connects now and keeps reconnecting, with backoff, until {@link stop}. */
  start(): void {
    this.keepTrying = true;
    if (!this.client && !this.connecting && !this.timer) void this.connect();
  }

  /** Connects once if not connected (waiting for an attempt in progress); rejects when that fails. */
  async openOnce(): Promise<void> {
    if (this.client) return;
    const ok = await (this.connecting ?? this.connect());
    if (!ok) throw this.lastError ?? new ModbusBridgeError('CONNECT_FAILED', `${this.label}: not connected`);
  }

  /** Runs `fn` on the client once every earlier request has finished. Rejects `DISCONNECTED` when down. */
  request<T>(fn: (client: ModbusClient) => Promise<T>): Promise<T> {
    const run = (): Promise<T> => {
      const client = this.client;
      if (!client) return Promise.reject(new ModbusBridgeError('DISCONNECTED', `${this.label} is not connected`));
      return fn(client);
    };
    const result = this.tail.then(run, run);
    // The tail only orders requests; each caller handles its own request's rejection.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** A device answered: the line works. */
  noteAnswer(): void {
    this.timeoutsInARow = 0;
  }

  /** A request timed out; after a few in a row a network socket is dropped and reopened. */
  noteTimeout(): void {
    this.timeoutsInARow += 1;
    if (this.options.spec.kind !== 'rtu' && this.timeoutsInARow >= TIMEOUTS_BEFORE_RECONNECT && this.client) {
      this.timeoutsInARow = 0;
      const client = this.client;
      this.lost(`${TIMEOUTS_BEFORE_RECONNECT} requests in a row timed out`);
      void client.close();
    }
  }

  /** Closes the connection without stopping the line: a later {@link start} or {@link openOnce} reconnects. */
  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.keepTrying = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.close();
    await this.connecting;
  }

  private connect(): Promise<boolean> {
    const attempt = this.attempt().finally(() => {
      this.connecting = undefined;
    });
    this.connecting = attempt;
    return attempt;
  }

  private async attempt(): Promise<boolean> {
    const open = this.options.open ?? openClient;
    const problemKey = `modbus.line.${this.key}`;
    try {
      const client = await open(this.options.spec, this.options.connectTimeoutMs);
      if (this.stopped) {
        await client.close();
        return false;
      }
      this.client = client;
      this.failures = 0;
      this.timeoutsInARow = 0;
      client.onClose((reason) => {
        if (this.client === client) this.lost(reason);
      });
      this.options.problems.resolve(problemKey, `${this.label}: connected`);
      this.options.hooks.onUp();
      return true;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.lastError = error;
      this.failures += 1;
      const delay = this.scheduleReconnect(this.failures - 1);
      const next = delay === undefined ? '' : `; next attempt in ${delay} ms`;
      this.options.problems.report(problemKey, `${this.label}: ${error.message}${next}`, { connection: this.label });
      this.options.hooks.onConnectFailed(error);
      return false;
    }
  }

  private lost(reason: string): void {
    this.client = undefined;
    this.options.problems.report(`modbus.line.${this.key}`, `${this.label}: connection lost (${reason}); reconnecting with backoff`, { connection: this.label });
    this.options.hooks.onDown(reason);
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): number | undefined {
    if (!this.keepTrying || this.stopped || this.timer) return undefined;
    const { initialMs, maxMs } = this.options.reconnect;
    const delay = backoffDelayMs(attempt, initialMs, maxMs, this.options.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped && !this.client && !this.connecting) void this.connect();
    }, delay);
    return delay;
  }
}
