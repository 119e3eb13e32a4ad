import type { ProblemReporter } from '../shared/problems.js';
import { excerpt } from '../shared/text.js';
import type { AckTracker } from './_acks.js';
import type { Confirmations } from './_confirm.js';
import { describeError } from './_link.js';
import type { WsMetrics } from './_metrics.js';
import type { ServerFrame } from './protocol.js';

/** Options of {@link createServerErrors}. */
export interface ServerErrorsOptions {
  acks: AckTracker;
  confirmations: Confirmations;
  metrics: WsMetrics;
  problems: ProblemReporter;
}

/** `error` frames from the server (DESIGN section 3, step 4): counted, acted on, logged once per episode. */
export interface ServerErrors {
  /** Handles one `error` frame received on an authenticated connection. */
  handle(frame: ServerFrame): void;
  /** Frames were confirmed (acked or ponged) again: an episode of errors is over. */
  recovered(): void;
}

/**
 * Creates the {@link ServerErrors} of one transport. An error naming the trace id of a frame still
 * held settles that frame, and the delivery loop isolates the refused point into the dead-letter
 * file (and logs it once per episode), as for an HTTP 400. One naming a frame whose pong had
 * already confirmed it (a server that validates after reading, without acks) comes too late: the
 * batch has left the spool, so its points are counted as lost. Other errors are logged.
 */
export function createServerErrors(o: ServerErrorsOptions): ServerErrors {
  let open = false;
  return {
    handle(frame) {
      const f = frame as Record<string, unknown>;
      const code = typeof f.code === 'string' ? f.code : undefined;
      o.metrics.serverErrors.inc({ code: code !== undefined && /^[a-z0-9_]{1,32}$/i.test(code) ? code : 'other' });
      const detail = describeError(frame);
      const traceId = typeof f.trace_id === 'string' ? f.trace_id : undefined;
      if (traceId !== undefined && o.acks.settle(traceId, { status: 'error', code, detail })) {
        o.confirmations.settle([traceId], false);
        return;
      }
      open = true;
      const id = traceId === undefined ? undefined : excerpt(traceId, 64);
      const points = traceId === undefined ? undefined : o.confirmations.confirmedPoints(traceId);
      if (points !== undefined) {
        o.metrics.possiblyLostFrames.inc();
        o.metrics.possiblyLostPoints.inc(points);
        o.problems.report(
          'ws:refused-after-confirm',
          `the server refused frame ${id} (${detail}) after its pong had confirmed it: its ${points} points had left the spool and are lost ` +
            '(fieldbridge_ws_points_possibly_lost_total). A server that validates frames after reading them should announce the ack extension.',
          { trace_id: id },
        );
        return;
      }
      o.problems.report('ws:server-error', `the server sent an error: ${detail}`, { code: code === undefined ? undefined : excerpt(code, 64), trace_id: id });
    },
    recovered() {
      if (!open) return;
      open = false;
      o.problems.resolve('ws:refused-after-confirm', 'the server confirms frames again without refusing them');
      o.problems.resolve('ws:server-error', 'the server confirms frames again without errors');
    },
  };
}
