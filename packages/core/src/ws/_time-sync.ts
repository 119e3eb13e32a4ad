import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import { sleep } from '../shared/wait.js';
import type { Connection } from './_link.js';
import type { ServerFrame } from './protocol.js';

/** Options of {@link createTimeSync}. */
export interface TimeSyncOptions {
  clock: Clock;
  logger: Logger;
  /** Time between re-syncs, in ms; 0: only at connect. */
  intervalMs: number;
  /** Exchanges per sync, one after the other; the clock keeps the best. Default 4. */
  burst?: number;
  /** Longest wait for one answer, in ms. Default 5000. */
  answerTimeoutMs?: number;
}

/**
 * The `time_sync` extension: `{"type":"time_sync","t0"}` answered with `t0, t1, t2` (server
 * receive and send times). Each exchange is a four-timestamp sample (NTP style): offset
 * `(t1 + t2) / 2 - (t0 + t3) / 2`, round trip `(t3 - t0) - (t2 - t1)`. A burst of exchanges
 * runs at connect and then every `intervalMs`; t0 and t3 come from the monotonic clock, so a
 * step of the local wall clock cannot spoil a sample.
 */
export interface TimeSync {
  /** Starts syncing on a connection whose server announced `time_sync`. */
  start(conn: Connection): void;
  /** A `time_sync` answer arrived. */
  answer(frame: ServerFrame): void;
  /** Stops (the connection ended or the transport closes). */
  stop(): void;
}

/** Creates a {@link TimeSync}. */
export function createTimeSync(o: TimeSyncOptions): TimeSync {
  const burst = o.burst ?? 4;
  const answerTimeoutMs = o.answerTimeoutMs ?? 5000;
  let run: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let waiting: { t0: number; resolve: () => void } | undefined;

  const exchange = async (conn: Connection, signal: AbortSignal) => {
    const t0 = o.clock.monotonicNow();
    const answered = new Promise<void>((resolve) => (waiting = { t0, resolve }));
    const err = await conn.write(JSON.stringify({ type: 'time_sync', t0 }));
    if (err) return false;
    const stop = new AbortController();
    await Promise.race([answered, sleep(answerTimeoutMs, stop.signal, signal)]);
    stop.abort();
    const ok = waiting === undefined;
    waiting = undefined;
    return ok;
  };

  const sync = async (conn: Connection, signal: AbortSignal) => {
    for (let i = 0; i < burst && !signal.aborted; i++) {
      if (!(await exchange(conn, signal))) {
        if (!signal.aborted) o.logger.debug('time_sync: no answer; trying again at the next sync');
        return;
      }
    }
  };

  const launch = (conn: Connection, signal: AbortSignal) => {
    void sync(conn, signal).catch((err: unknown) => o.logger.warn({ err }, 'time_sync failed'));
  };

  const stop = () => {
    run?.abort();
    run = undefined;
    if (timer) clearInterval(timer);
    timer = undefined;
    waiting = undefined;
  };

  return {
    start(conn) {
      stop();
      const current = new AbortController();
      run = current;
      launch(conn, current.signal);
      if (o.intervalMs > 0) {
        timer = setInterval(() => launch(conn, current.signal), o.intervalMs);
        timer.unref();
      }
    },
    answer(frame) {
      const f = frame as { t0?: unknown; t1?: unknown; t2?: unknown };
      const receivedAtMs = o.clock.monotonicNow();
      if (!waiting || f.t0 !== waiting.t0 || typeof f.t1 !== 'number' || typeof f.t2 !== 'number') return;
      if (!Number.isFinite(f.t1) || !Number.isFinite(f.t2)) return;
      o.clock.addSample({ sentAtMs: waiting.t0, receivedAtMs, serverTimeMs: (f.t1 + f.t2) / 2, serverHoldMs: Math.max(0, f.t2 - f.t1) });
      const { resolve } = waiting;
      waiting = undefined;
      resolve();
    },
    stop,
  };
}
