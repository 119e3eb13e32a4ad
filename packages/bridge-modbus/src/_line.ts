import { createReconnector, type Reconnector } from '@fieldbridge/core/bridge';
import type { ProblemReporter } from '@fieldbridge/core';
import { openClient, type ModbusClient } from './client.js';
import { formatConnection, lineKey, type ConnectionSpec } from './connection-url.js';
import { ModbusBridgeError } from './errors.js';

/** Requests in a row that may time out on a network line before its socket is presumed dead. */
export const TIMEOUTS_BEFORE_RECONNECT = 3;

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
  /** Reconnect backoff, in ms (the kit's reconnector: it starts over after a connection that lasted 30 s). */
  reconnect: { initialMs: number; maxMs: number };
  problems: ProblemReporter;
  hooks: LineHooks;
  /** Opens a client; modbus-serial by default. `signal` aborts when the line stops. */
  open?: (spec: ConnectionSpec, timeoutMs: number, signal?: AbortSignal) => Promise<ModbusClient>;
  /** Random source of the reconnect jitter, in [0, 1). */
  random?: () => number;
}

/**
 * One physical line (a socket or a serial port) shared by every device that names it. It
 * serialises requests, so unit ids on one serial line take turns and never collide, and it
 * reconnects with the kit's backoff after the connection goes away: a peer that accepts and
 * closes at once gets ever longer pauses, not a reconnect storm.
 */
export class Line {
  readonly key: string;
  readonly label: string;
  private client: ModbusClient | undefined;
  private connecting: Promise<boolean> | undefined;
  private readonly reconnector: Reconnector;
  /** Aborted by {@link stop}, so a connect in progress ends at once. */
  private readonly stopping = new AbortController();
  private keepTrying = false;
  private stopped = false;
  private lastError: Error | undefined;
  /** Why the line is down: the last failed connect's error, or why the connection was lost. */
  private downReason: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private timeoutsInARow = 0;

  constructor(private readonly options: LineOptions) {
    this.key = lineKey(options.spec);
    this.label = formatConnection(options.spec);
    this.reconnector = createReconnector({ ...options.reconnect, ...(options.random ? { random: options.random } : {}) });
  }

  /** True while connected. */
  get isUp(): boolean {
    return this.client !== undefined;
  }

  /** While down, why (`cannot connect to ...: connect ECONNREFUSED ...`), as a device's channel reports it. */
  get whyDown(): string {
    return this.downReason ?? `${this.label} is not connected`;
  }

  /** Connects now and keeps reconnecting, with backoff, until {@link stop}. */
  start(): void {
    this.keepTrying = true;
    if (!this.client && !this.connecting && !this.reconnector.pending()) void this.connect();
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
    this.reconnector.cancel();
    this.stopping.abort();
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
      const client = await open(this.options.spec, this.options.connectTimeoutMs, this.stopping.signal);
      if (this.stopped) {
        await client.close();
        return false;
      }
      this.client = client;
      this.reconnector.connected();
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
      this.downReason = error.message;
      // Stopping cancelled the attempt: nothing failed.
      if (this.stopped) return false;
      const delay = this.scheduleReconnect();
      const next = delay === undefined ? '' : `; next attempt in ${delay} ms`;
      this.options.problems.report(problemKey, `${this.label}: ${error.message}${next}`, { connection: this.label });
      this.options.hooks.onConnectFailed(error);
      return false;
    }
  }

  private lost(reason: string): void {
    this.client = undefined;
    this.downReason = reason;
    this.options.problems.report(`modbus.line.${this.key}`, `${this.label}: connection lost (${reason}); reconnecting with backoff`, { connection: this.label });
    this.options.hooks.onDown(reason);
    this.scheduleReconnect();
  }

  /** The next attempt, after the reconnector's delay (in ms, returned); none once stopped or in `--once`. */
  private scheduleReconnect(): number | undefined {
    if (!this.keepTrying || this.stopped || this.reconnector.pending()) return undefined;
    return this.reconnector.schedule(() => {
      if (!this.stopped && !this.client && !this.connecting) void this.connect();
    });
  }
}
