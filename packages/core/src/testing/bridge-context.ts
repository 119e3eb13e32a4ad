import { EventEmitter } from 'node:events';
import type { BridgeContext, SourceState } from '../runtime/define-bridge.js';
import { createProblemReporter, type ProblemReporter } from '../shared/problems.js';
import type { Point } from '../point/point.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';

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
}

/** The core's episode reporter, with every call recorded for assertions. */
function recordingReporter(events: ProblemEvent[], changed: () => void): ProblemReporter {
  const real = createProblemReporter(pino({ level: 'silent' }));
  return {
    report(key, message, fields) {
      const logged = real.report(key, message, fields);
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
 * memory, states and problem episodes recorded, the logger silent, the registry fresh, and the
 * clock the plain monotonic one. `waitFor` re-checks on every write, state change and problem,
 * so tests synchronise on what happened rather than on time.
 */
export function createTestContext(options: { skipPoll?: () => boolean } = {}): TestContext {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const changed = (): void => {
    bus.emit('change');
  };
  const points: Point[] = [];
  const states: TestContext['states'] = [];
  const problems: ProblemEvent[] = [];
  const registry = new Registry();
  const abort = new AbortController();
  const origin = performance.timeOrigin;
  const ctx: BridgeContext = {
    sink: {
      write(point) {
        points.push(point);
        changed();
      },
      send(metric, value, extras) {
        points.push({ metric, value, ...extras });
        changed();
      },
    },
    logger: pino({ level: 'silent' }),
    registry,
    clock: {
      now: () => origin + performance.now(),
      monotonicNow: () => origin + performance.now(),
      offsetMs: () => 0,
      roundTripMs: () => undefined,
      synced: () => true,
      addSample: () => 'used',
    },
    problems: recordingReporter(problems, changed),
    setSourceState(channel, state) {
      states.push({ channel, state });
      changed();
    },
    shouldSkipPoll: options.skipPoll ?? (() => false),
    signal: abort.signal,
  };
  return {
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
  };
}
