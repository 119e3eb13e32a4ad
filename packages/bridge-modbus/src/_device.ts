import type { BridgeContext, SourceState } from '@fieldbridge/core';
import type { Line } from './_line.js';
import type { ModbusMetrics } from './_metrics.js';
import { emitPoints } from './_emit.js';
import { exceptionName, isTransientException, ModbusBridgeError } from './errors.js';
import { describeRequest, planOnePerPoint, planRequests, type ReadRequest } from './plan.js';
import type { ResolvedDevice, ResolvedPoint } from './resolve.js';

/** What one poll cycle of a device did. */
export interface CycleResult {
  /** True when the poll was skipped (backpressure, or the line is down). */
  skipped: boolean;
  /** Requests the device answered, with data or with an exception. */
  answered: number;
  /** Requests that got no usable answer. */
  failed: number;
  /** Why requests failed, one line each. */
  errors: string[];
}

type Outcome = 'ok' | 'exception' | 'failed' | 'disconnected' | 'split';

/**
 * Polls one device every `pollMs` through its line: sends the planned requests, decodes the
 * answers into points, and reports its state. A request refused with ILLEGAL DATA ADDRESS is
 * split into one request per point for the rest of the run, so one unmapped register costs
 * only its own point.
 */
export class DevicePoller {
  private readonly requests: ReadRequest<ResolvedPoint>[];
  private readonly lastSent = new Map<number, number>();
  private readonly label: string;
  private state: SourceState | undefined;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CycleResult> | undefined;
  private polling = false;
  /** Kinds of failure seen in the current cycle. */
  private readonly trouble = new Set<'timeout' | 'bad_response'>();

  constructor(
    readonly device: ResolvedDevice,
    private readonly line: Line,
    private readonly ctx: BridgeContext,
    private readonly metrics: ModbusMetrics,
    planning: 'coalesce' | 'one-per-point' = 'coalesce',
  ) {
    this.requests = planning === 'one-per-point' ? planOnePerPoint(device.points) : planRequests(device.points, device);
    this.label = `device ${device.name} (unit ${device.unitId} on ${line.label})`;
    this.setState('connecting');
  }

  /** The state last reported for this device. */
  currentState(): SourceState {
    return this.state ?? 'connecting';
  }

  /** The requests one cycle sends (after any splits). */
  plan(): readonly ReadRequest<ResolvedPoint>[] {
    return this.requests;
  }

  /** Starts polling every `pollMs`. */
  start(): void {
    this.polling = true;
    this.schedule(0);
  }

  /** Stops polling and waits for a cycle in progress. */
  async stop(): Promise<void> {
    this.polling = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The line connected: poll now rather than at the next tick. */
  lineUp(): void {
    if (this.polling && !this.running) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /** The line went away or could not be opened. */
  lineDown(): void {
    this.setState(this.everConnected ? 'disconnected' : 'connecting');
  }

  /** Runs one cycle, or joins the one in progress. */
  cycle(): Promise<CycleResult> {
    this.running ??= this.runCycle().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = this.ctx.clock.monotonicNow();
      const next = (): void => {
        if (!this.polling || this.timer) return;
        const elapsed = this.ctx.clock.monotonicNow() - started;
        const key = `modbus.${this.device.name}.overrun`;
        if (elapsed > this.device.pollMs) {
          this.ctx.problems.report(key, `${this.label}: a poll took ${Math.round(elapsed)} ms, longer than poll_ms ${this.device.pollMs}; polling back to back`);
        } else {
          this.ctx.problems.resolve(key);
        }
        this.schedule(Math.max(0, this.device.pollMs - elapsed));
      };
      void this.cycle().then(next, (err: unknown) => {
        this.ctx.logger.error({ err, device: this.device.name }, `${this.label}: poll cycle failed`);
        next();
      });
    }, delayMs);
  }

  private async runCycle(): Promise<CycleResult> {
    const result: CycleResult = { skipped: false, answered: 0, failed: 0, errors: [] };
    if (this.ctx.shouldSkipPoll()) return { ...result, skipped: true };
    if (!this.line.isUp) {
      this.lineDown();
      return { ...result, skipped: true, errors: [`${this.line.label} is not connected`] };
    }
    const started = this.ctx.clock.monotonicNow();
    this.trouble.clear();
    for (let i = 0; i < this.requests.length; i++) {
      const request = this.requests[i] as ReadRequest<ResolvedPoint>;
      const outcome = await this.execute(request, result.errors);
      if (outcome === 'split') {
        const singles = request.points.map((p) => ({ table: p.table, address: p.address, count: p.width, points: [p] }));
        this.requests.splice(i, 1, ...singles);
        i -= 1;
        continue;
      }
      if (outcome === 'ok' || outcome === 'exception') result.answered += 1;
      else result.failed += 1;
      if (outcome === 'disconnected') break;
    }
    this.metrics.pollDuration.observe({ device: this.device.name }, (this.ctx.clock.monotonicNow() - started) / 1000);
    if (result.answered === 0) {
      this.setState(this.everConnected ? 'disconnected' : 'connecting');
    } else {
      // An episode ends with a cycle free of its kind, not with any one answer, so a request
      // that always times out beside others that answer stays one episode.
      const { name } = this.device;
      if (!this.trouble.has('timeout')) this.ctx.problems.resolve(`modbus.${name}.timeout`, `${this.label} answers again`);
      if (!this.trouble.has('bad_response')) this.ctx.problems.resolve(`modbus.${name}.bad_response`, `${this.label} answers correctly again`);
    }
    return result;
  }

  /** The device answered (data or an exception): it is there. */
  private answered(): void {
    this.line.noteAnswer();
    this.everConnected = true;
    this.setState('connected');
  }

  private async execute(request: ReadRequest<ResolvedPoint>, errors: string[]): Promise<Outcome> {
    const { name, unitId, timeoutMs, retries } = this.device;
    const what = describeRequest(request);
    for (let attempt = 0; ; attempt++) {
      this.metrics.requests.inc({ device: name, table: request.table });
      let data: number[] | boolean[];
      try {
        data = await this.line.request((client) => client.read(request.table, unitId, request.address, request.count, timeoutMs));
      } catch (err) {
        const error = err instanceof ModbusBridgeError ? err : new ModbusBridgeError('BAD_RESPONSE', String(err), { cause: err });
        const kind = errorKind(error);
        this.metrics.errors.inc({ device: name, kind });
        if (error.code === 'DISCONNECTED') {
          errors.push(`${what}: ${error.message}`);
          return 'disconnected';
        }
        if (error.code === 'EXCEPTION') {
          this.answered();
          const code = error.exceptionCode ?? 0;
          if (code === 2 && request.points.length > 1) {
            this.ctx.logger.info({ device: name, request: what }, `${this.label}: ${what} refused with ILLEGAL DATA ADDRESS; reading its ${request.points.length} points one by one from now on`);
            return 'split';
          }
          if (isTransientException(code) && attempt < retries) continue;
          const metrics = request.points.map((p) => p.metric).join(', ');
          const message = `${this.label}: ${what} (${metrics}) answered exception ${code} ${exceptionName(code)}`;
          this.ctx.problems.report(`modbus.${name}.exception.${what}`, message, { device: name, exception: exceptionName(code) });
          errors.push(message);
          return 'exception';
        }
        if (attempt < retries) continue;
        this.trouble.add(error.code === 'TIMEOUT' ? 'timeout' : 'bad_response');
        if (error.code === 'TIMEOUT') {
          this.line.noteTimeout();
          this.ctx.problems.report(`modbus.${name}.timeout`, `${this.label} did not answer ${what} within ${timeoutMs} ms (${retries + 1} tries)`, { device: name });
        } else {
          this.ctx.problems.report(`modbus.${name}.bad_response`, `${this.label}: ${error.message}`, { device: name });
        }
        errors.push(`${what}: ${error.message}`);
        return 'failed';
      }
      const at = this.ctx.clock.now();
      this.answered();
      this.ctx.problems.resolve(`modbus.${name}.exception.${what}`, `${this.label}: ${what} reads again`);
      emitPoints(request, data, at, { device: this.device, ctx: this.ctx, metrics: this.metrics, lastSent: this.lastSent });
      return 'ok';
    }
  }

  private setState(state: SourceState): void {
    if (state === this.state) return;
    this.state = state;
    this.ctx.setSourceState(this.device.name, state);
    this.metrics.deviceUp.set({ device: this.device.name }, state === 'connected' ? 1 : 0);
  }
}

/** The `kind` label of `fieldbridge_modbus_errors_total` for an error. */
export function errorKind(error: ModbusBridgeError): string {
  if (error.code === 'EXCEPTION') return exceptionName(error.exceptionCode ?? 0).toLowerCase().replaceAll(' ', '_');
  return error.code.toLowerCase();
}
