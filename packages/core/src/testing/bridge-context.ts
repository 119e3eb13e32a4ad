import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createSourceMetrics } from '../bridge/source-metrics.js';
import type { Point } from '../point/point.js';
import { createChannels, type Channels } from '../runtime/_channels.js';
import type { BridgeContext, SourceState } from '../runtime/define-bridge.js';
import { keptAcrossReloads } from '../runtime/_reload-state.js';
import { keepOpenIn } from '../runtime/kept-open.js';
import { createProblemReporter, type ProblemReporter } from '../shared/problems.js';
import { captureLogs, type CapturedLogs } from './capture-logs.js';

/** One `problems.report` or `.resolve` call, as a test sees it. */
export interface ProblemEvent {
  kind: 'report' | 'resolve';
  key: string;
  message?: string;
  /** For reports: true when it opened an episode (the one that is logged). */
  logged?: boolean;
}

/** A BridgeContext whose sink collects points in memory, and what it recorded. */
export interface TestContext {
  ctx: BridgeContext;
  points: Point[];
  /** Every channel state change, in order (opening a channel records `connecting`). */
  states: { channel: string; state: SourceState }[];
  problems: ProblemEvent[];
  registry: Registry;
  abort: AbortController;
  /** Resolves once `predicate` holds, checking after every write, state change and problem. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Current value of a metric with the given labels (0 when absent). */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  /** Points written for `metric` so far. */
  valuesOf(metric: string): Point['value'][];
  /** Sets the sink's backpressure, as a full spool under `when_full: block` would. */
  setBlocked(blocked: boolean): void;
  /** The open channels as `/readyz` shows them. */
  channels(): ReturnType<Channels['snapshot']>;
  /** What `/readyz` would answer for the source: every required channel connected. */
  ready(): boolean;
  /** What the context's logger was told (debug and above), unless a test put its own logger in. */
  logs: CapturedLogs;
}

/** The core's episode reporter, with every call recorded for assertions. */
function recordingReporter(events: ProblemEvent[], changed: () => void, logger: Logger): ProblemReporter {
  const real = createProblemReporter(logger);
  return {
    report(key, message, fields, options) {
      const logged = real.report(key, message, fields, options);
      events.push({ kind: 'report', key, message, logged });
      changed();
      return logged;
    },
    resolve(key, message) {
      const wasOpen = real.open().includes(key);
      real.resolve(key, message);
      if (!wasOpen) return;
      events.push({ kind: 'resolve', key, ...(message === undefined ? {} : { message }) });
      changed();
    },
    open: () => real.open(),
  };
}

/**
 * A {@link BridgeContext} for testing a bridge's source without a sink: points are collected in
 * memory, channel states and problem episodes recorded, the standard metrics real (on a fresh
 * registry), the logger kept in memory (`logs`), the clock the plain monotonic one, the file's `source_id`
 * `options.sourceId` (default `test`) and `stateDir` as given. `waitFor` re-checks on every write,
 * state change and problem, so tests synchronise on what happened rather than on time. Contexts
 * given one `reloadState` map share `acrossReloads` and `keepOpen`, as a bridge started again by a
 * SIGHUP reload (the test then ends with `releaseKept(map)`, as the command does at the end of a
 * run); without one, what the bridge keeps open closes when it lets it go.
 */
export function createTestContext(options: { bridge?: string; blocked?: boolean; sourceId?: string; stateDir?: string; reloadState?: Map<string, unknown>; dryRun?: boolean; once?: boolean } = {}): TestContext {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const changed = (): void => {
    bus.emit('change');
  };
  const points: Point[] = [];
  const states: TestContext['states'] = [];
  const problems: ProblemEvent[] = [];
  const registry = new Registry();
  const logs = captureLogs('debug');
  const abort = new AbortController();
  const origin = performance.timeOrigin;
  const metrics = createSourceMetrics(registry, options.bridge ?? 'test');
  const channels = createChannels(metrics, logs.logger, (channel, state) => {
    states.push({ channel, state });
    changed();
  });
  let blocked = options.blocked ?? false;
  const reloadState = options.reloadState ?? new Map<string, unknown>();
  const holder = {};
  const write = (point: Point): void => {
    points.push(point);
    changed();
  };
  const ctx: BridgeContext = {
    dryRun: options.dryRun === true,
    once: options.once === true,
    emit(channel, emitted) {
      const name = typeof channel === 'string' ? channel : channel.name;
      for (const point of emitted) points.push(point);
      if (emitted.length === 0) return;
      metrics.points(name, emitted.length);
      channels.emitted(name);
      changed();
    },
    channel: (name, channelOptions) => channels.open(name, channelOptions),
    flow: {
      blocked: () => blocked,
      whenOpen: (signal) =>
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (blocked && !signal?.aborted) return;
            bus.off('change', check);
            signal?.removeEventListener('abort', check);
            resolve();
          };
          bus.on('change', check);
          signal?.addEventListener('abort', check, { once: true });
          check();
        }),
    },
    metrics,
    sink: { write, send: (metric, value, extras) => write({ metric, value, ...extras }) },
    logger: logs.logger,
    registry,
    clock: {
      now: () => origin + performance.now(),
      monotonicNow: () => origin + performance.now(),
      offsetMs: () => 0,
      roundTripMs: () => undefined,
      synced: () => true,
      addSample: () => 'used',
    },
    problems: recordingReporter(problems, changed, logs.logger),
    signal: abort.signal,
    sourceId: options.sourceId ?? 'test',
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    acrossReloads: (key, make) => keptAcrossReloads(reloadState, `${options.bridge ?? 'test'}:${key}`, make),
    keepOpen: (key, keep) => keepOpenIn(reloadState, holder, `${options.bridge ?? 'test'}:${key}`, keep, options.reloadState !== undefined),
  };
  return {
    logs,
    ctx,
    points,
    states,
    problems,
    registry,
    abort,
    waitFor(predicate, what, timeoutMs = 15_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          bus.off('change', check);
          resolve();
        };
        // A safety net so a broken test fails with a message instead of hanging.
        const timer = setTimeout(() => {
          bus.off('change', check);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        bus.on('change', check);
      });
    },
    async metric(name, labels) {
      const metric = registry.getSingleMetric(name);
      if (!metric) return 0;
      const { values } = await metric.get();
      const found = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
      return found?.value ?? 0;
    },
    valuesOf(metric) {
      return points.filter((p) => p.metric === metric).map((p) => p.value);
    },
    setBlocked(next) {
      blocked = next;
      changed();
    },
    channels: () => channels.snapshot(),
    ready: () => channels.ready(),
  };
}
