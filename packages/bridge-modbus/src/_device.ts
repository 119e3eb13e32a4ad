import type { BridgeContext, Channel, SourceState } from '@fieldbridge/core/bridge';
import { Admission } from './_admit.js';
import { Busy, busyPolicy } from './_busy.js';
import type { Line } from './_line.js';
import { errorKind, type ModbusMetrics } from './_metrics.js';
import type { ModbusTable } from './config.js';
import { exceptionName, isBusyException, isGatewayException, isTransientException, ModbusBridgeError } from './errors.js';
import { gatewayHint, pollRefusalHint, sizeRefusalHint } from './exception-hint.js';
import { Silence } from './_silence.js';
import { timeoutHint } from './timeout-hint.js';
import { SlowReads } from './_slow-reads.js';
import { describeRequest, halveRequest, planOnePerPoint, planRequests, type ReadRequest } from './plan.js';
import { RequestPlan } from './_request-plan.js';
import type { ResolvedDevice, ResolvedPoint } from './resolve.js';

/** What one poll cycle of a device did. */
export interface CycleResult {
  /** True when the poll was skipped (backpressure, or the line is down). */
  skipped: boolean;
  /** Requests the device answered, with data or with an exception. */
  answered: number;
  /** Requests answered with data (values read). */
  read: number;
  /** Requests that got no usable answer. */
  failed: number;
  /** Why requests failed, one line each. */
  errors: string[];
}

/**
 * `unreachable`: a gateway answered for the device (exception 10 or 11), the device did not;
 * `busy`: the device answered busy (exception 5 or 6) to every try, and is asked again next poll.
 */
type Outcome = 'ok' | 'exception' | 'busy' | 'unreachable' | 'failed' | 'disconnected' | { split: [ReadRequest<ResolvedPoint>, ReadRequest<ResolvedPoint>] };

/**
 * Polls one device every `pollMs` through its line: sends the planned requests, decodes each
 * answer, holds back what a point's deadband or `on_change` holds (the kit's change filter), emits the
 * rest on the device's channel and reports the channel's state. A request of several points
 * refused with ILLEGAL DATA ADDRESS (an unmapped register inside it) or ILLEGAL DATA VALUE (longer
 * than the device reads at once) is halved, again where a half is refused too, until the device
 * may have changed (see {@link RequestPlan}): one unmapped register costs only its own point, and
 * the rest is still read in few requests. A device that answered nothing in a cycle for lack of
 * answers (a unit that is off, a wrong unit id) is silent: it is then asked with its first request
 * alone, one try, at waits that double from poll_ms up to 30 s (or poll_ms when longer), until it
 * answers, so that it does not hold up the other devices of its line with timeouts (Kepware's
 * demotion). A device that answers busy is asked again after a wait, a few times per poll (see
 * {@link Busy}).
 */
export class DevicePoller {
  readonly channel: Channel;
  /** The requests a cycle sends: the mapping's, with the cuts made after refusals. */
  private readonly requestPlan: RequestPlan;
  /** Decodes answers into the points to send (problems, deadband, `on_change`). */
  private readonly admission: Admission;
  private readonly requestsOf: Record<ModbusTable, { inc(): void }>;
  private readonly label: string;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  /** The poll interval in force: the mapping's, until a `configure` request changes it. */
  private pollMs: number;
  /** When the last cycle was due (monotonic ms), so a new interval counts from it. */
  private lastDueMs = 0;
  private running: Promise<CycleResult> | undefined;
  private polling = false;
  /** Kinds of failure seen in the current cycle (`unreachable`: a gateway's exception 10 or 11). */
  private readonly trouble = new Set<'timeout' | 'bad_response' | 'unreachable'>();
  /** Whether the device answers nothing, and how long to wait to ask it again (see the class). */
  private readonly silence: Silence;
  /** When the requests of points with a `poll_ms` of their own are due. */
  private readonly slowReads = new SlowReads();
  /** How a busy answer is asked again, and whether the device is busy (see {@link Busy}). */
  private readonly busy: Busy;
  /** Aborted by {@link stop}: a wait for a busy device ends at once. */
  private readonly stopping = new AbortController();

  constructor(
    readonly device: ResolvedDevice,
    private readonly line: Line,
    private readonly ctx: BridgeContext,
    private readonly metrics: ModbusMetrics,
    planning: 'coalesce' | 'one-per-point' = 'coalesce',
  ) {
    const planned = planning === 'one-per-point' ? planOnePerPoint(device.points) : planRequests(device.points, device);
    this.requestPlan = new RequestPlan(planned, (message) => ctx.logger.info({ device: device.name }, `${this.label}: ${message}`));
    this.label = `device ${device.name} (unit ${device.unitId} on ${line.label})`;
    this.pollMs = device.pollMs;
    this.channel = ctx.channel(device.name);
    this.silence = new Silence(ctx.problems, `modbus.${device.name}.silent`, this.label, device.name);
    this.busy = new Busy(ctx.problems, `modbus.${device.name}.busy`, this.label, device.name, busyPolicy(device), this.stopping.signal);
    this.admission = new Admission(device, ctx, this.label);
    const counter = (table: ModbusTable) => metrics.requests.labels(device.name, table);
    this.requestsOf = { coil: counter('coil'), discrete: counter('discrete'), input: counter('input'), holding: counter('holding') };
  }

  /** The state last reported for this device. */
  currentState(): SourceState {
    return this.channel.state();
  }

  /** The requests one cycle sends (after any splits). */
  plan(): readonly ReadRequest<ResolvedPoint>[] {
    return this.requestPlan.requests;
  }

  /** The poll interval in force, in ms. */
  pollInterval(): number {
    return this.pollMs;
  }

  /**
   * Polls every `ms` from now on (a `configure` request): a cycle waiting to run is moved to
   * `ms` after the last one started; a cycle under way schedules the next one with `ms`.
   */
  setPollInterval(ms: number): void {
    this.pollMs = ms;
    if (!this.polling || !this.timer || this.running) return;
    clearTimeout(this.timer);
    this.schedule(Math.max(0, ms - (this.ctx.clock.monotonicNow() - this.lastDueMs)));
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
    this.stopping.abort();
    await this.running;
  }

  /** The line connected: poll now rather than at the next tick. */
  lineUp(): void {
    if (this.everConnected) this.requestPlan.deviceMayHaveChanged('its line reconnected');
    if (this.polling && !this.running) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /** The line went away or could not be opened, or the device stopped answering: `reason` is logged with the state. */
  lineDown(reason: string): void {
    this.channel.set(this.everConnected ? 'disconnected' : 'connecting', reason);
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
      this.lastDueMs = started;
      const next = (): void => {
        if (!this.polling || this.timer) return;
        const elapsed = this.ctx.clock.monotonicNow() - started;
        const key = `modbus.${this.device.name}.overrun`;
        // A cycle made long by timeouts is said by the timeout's report, which says what to check.
        if (elapsed <= this.pollMs) this.ctx.problems.resolve(key);
        else if (!this.trouble.has('timeout')) this.ctx.problems.report(key, `${this.label}: a poll took ${Math.round(elapsed)} ms, longer than poll_ms ${this.pollMs}; polling back to back`);
        this.schedule(Math.max(0, this.silence.waitMs(this.pollMs) - elapsed));
      };
      void this.cycle().then(next, (err: unknown) => {
        this.ctx.logger.error({ err, device: this.device.name }, `${this.label}: poll cycle failed`);
        next();
      });
    }, delayMs);
  }

  private async runCycle(): Promise<CycleResult> {
    const result: CycleResult = { skipped: false, answered: 0, read: 0, failed: 0, errors: [] };
    // The spool is full under `when_full: block`: reading now would only grow memory.
    if (this.ctx.flow.blocked()) {
      this.ctx.metrics.skipped(this.device.name);
      return { ...result, skipped: true };
    }
    if (!this.line.isUp) {
      // Why it is down (the connect error), not only that it is: /readyz and the status say it.
      this.lineDown(this.line.whyDown);
      return { ...result, skipped: true, errors: [this.line.whyDown] };
    }
    const started = this.ctx.clock.monotonicNow();
    this.trouble.clear();
    this.busy.startCycle();
    this.requestPlan.beforePoll();
    const { silent } = this.silence;
    const { requests } = this.requestPlan;
    let sent = 0;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i] as ReadRequest<ResolvedPoint>;
      if (!this.slowReads.isDue(request, started, this.pollMs)) continue;
      sent += 1;
      const outcome = await this.execute(request, result.errors, silent ? 0 : this.device.retries);
      if (typeof outcome === 'object') {
        this.requestPlan.split(i, outcome.split);
        i -= 1;
        continue;
      }
      if (outcome === 'ok') result.read += 1;
      if (outcome === 'ok' || outcome === 'exception' || outcome === 'busy') {
        result.answered += 1;
        // A read given up as busy is due again at the next poll, however seldom its points are read.
        if (outcome !== 'busy') this.slowReads.answered(request, started);
      } else result.failed += 1;
      if (outcome === 'disconnected') break;
      // Still silent: the rest of the cycle would only time out too.
      if (silent && result.answered === 0) break;
    }
    // Only points read less often than every poll, none of them due: nothing was asked, nothing learnt.
    if (sent === 0) return result;
    this.metrics.pollDuration.observe({ device: this.device.name }, (this.ctx.clock.monotonicNow() - started) / 1000);
    if (silent && result.answered > 0) this.requestPlan.deviceMayHaveChanged('it answers again after a silence');
    // A gateway answering for a device that does not is as silent as no answer at all.
    this.silence.note(result.answered, this.trouble.has('timeout') || this.trouble.has('unreachable'), this.pollMs);
    if (result.answered === 0) {
      this.lineDown(result.errors[0] ?? 'no answer');
    } else {
      // An episode ends with a cycle free of its kind, not with any one answer, so a request
      // that always times out beside others that answer stays one episode.
      const { name } = this.device;
      if (!this.trouble.has('timeout')) this.ctx.problems.resolve(`modbus.${name}.timeout`, `${this.label} answers again`);
      if (!this.trouble.has('bad_response')) this.ctx.problems.resolve(`modbus.${name}.bad_response`, `${this.label} answers correctly again`);
      this.busy.endCycle();
    }
    return result;
  }

  /** The device answered (data or an exception): it is there. */
  private answered(): void {
    this.line.noteAnswer();
    this.everConnected = true;
    this.channel.set('connected');
  }

  private async execute(request: ReadRequest<ResolvedPoint>, errors: string[], retries: number): Promise<Outcome> {
    const { name, unitId, timeoutMs } = this.device;
    const what = describeRequest(request);
    /** Tries after a timeout, a bad answer or a gateway's exception 11 (`retries`); busy answers (exception 5, 6) have their own. */
    let tries = 0;
    let busyAnswers = 0;
    for (;;) {
      this.requestsOf[request.table].inc();
      let data: number[] | boolean[];
      try {
        data = await this.line.request((client) => client.read(request.table, unitId, request.address, request.count, timeoutMs));
      } catch (err) {
        const error = err instanceof ModbusBridgeError ? err : new ModbusBridgeError('BAD_RESPONSE', String(err), { cause: err });
        this.ctx.metrics.error(name, errorKind(error));
        if (error.code === 'DISCONNECTED') {
          errors.push(`${what}: ${error.message}`);
          return 'disconnected';
        }
        if (error.code === 'EXCEPTION') {
          const code = error.exceptionCode ?? 0;
          if (isGatewayException(code)) {
            // The gateway works; the device behind it did not answer: not connected, and silent.
            this.line.noteAnswer();
            if (isTransientException(code) && tries++ < retries) continue;
            this.trouble.add('unreachable');
            const unreachable = `${what} (${request.points.map((p) => p.metric).join(', ')}) answered exception ${code} ${exceptionName(code)}${gatewayHint(code, this.device)}`;
            this.ctx.problems.report(`modbus.${name}.exception.${what}`, `${this.label}: ${unreachable}`, { device: name, exception: exceptionName(code) });
            errors.push(unreachable);
            return 'unreachable';
          }
          this.answered();
          const halves = code === 2 || code === 3 ? halveRequest(request) : undefined;
          if (halves) {
            this.ctx.logger.info({ device: name, request: what }, `${this.label}: ${what} refused with ${exceptionName(code)}; reading it as ${halves.map(describeRequest).join(' and ')} until the device answers after a silence or its line reconnects${code === 3 ? sizeRefusalHint(request.table) : ''}`);
            return { split: halves };
          }
          const metrics = request.points.map((p) => p.metric).join(', ');
          if (isBusyException(code)) {
            busyAnswers += 1;
            if (this.busy.mayRetry(busyAnswers)) {
              await this.busy.wait();
              continue;
            }
            this.metrics.busyReads.labels(name, request.table).inc();
            errors.push(this.busy.giveUp(`${what} (${metrics})`, code, busyAnswers));
            return 'busy';
          }
          // The cycle's errors are said after the device's name (`--once`): only the log line names it here.
          const refused = `${what} (${metrics}) answered exception ${code} ${exceptionName(code)}${pollRefusalHint(code, request, name)}`;
          this.ctx.problems.report(`modbus.${name}.exception.${what}`, `${this.label}: ${refused}`, { device: name, exception: exceptionName(code) });
          errors.push(refused);
          return 'exception';
        }
        if (tries++ < retries) continue;
        this.trouble.add(error.code === 'TIMEOUT' ? 'timeout' : 'bad_response');
        if (error.code === 'TIMEOUT') {
          const after = error.answeredAfterMs;
          // A late answer shows the line works: only silence counts towards reopening it.
          if (after === undefined) this.line.noteTimeout();
          const hint = timeoutHint(this.device, after, this.everConnected, error.strayTransactionId);
          this.ctx.problems.report(`modbus.${name}.timeout`, `${this.label} did not answer ${what} within ${timeoutMs} ms (${retries === 0 ? '1 try' : `${retries + 1} tries`})${hint}`, { device: name });
        } else {
          this.ctx.problems.report(`modbus.${name}.bad_response`, `${this.label}: ${error.message}`, { device: name });
        }
        errors.push(`${what}: ${error.message}`);
        return 'failed';
      }
      this.answered();
      this.ctx.problems.resolve(`modbus.${name}.exception.${what}`, `${this.label}: ${what} reads again`);
      this.ctx.metrics.messages(name);
      this.ctx.emit(this.channel, this.admission.admit(request, data));
      return 'ok';
    }
  }
}
