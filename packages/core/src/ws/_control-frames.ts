import type { Logger } from 'pino';
import type { ProblemReporter } from '../shared/problems.js';
import { excerpt } from '../shared/text.js';
import type { WsMetrics } from './_metrics.js';
import type { DeviceControl, StreamRequest } from '../control/device-control.js';
import { CONTROL_TYPES, type ControlType, type ServerFrame } from './protocol.js';

/** Options of {@link createControlHandler}. */
export interface ControlHandlerOptions {
  /** Acts on the requests; without it session and configure requests are answered with an error. */
  control: DeviceControl | undefined;
  logger: Logger;
  /** Unknown message types are reported here, once per episode. */
  problems: ProblemReporter;
  metrics: WsMetrics;
}

/** Sends one answer frame on the connection the request came from. */
export type Reply = (frame: Record<string, unknown>) => void;

/** Dashboard control messages (DESIGN section 3, step 4). */
export interface ControlHandler {
  /** True for the types it handles. */
  handles(type: string): type is ControlType;
  /** Acts on one control frame and answers through `reply`. Never rejects. */
  handle(frame: ServerFrame, reply: Reply): Promise<void>;
  /** Answers a message of a type this device does not know with an `error` frame naming it. */
  unknown(frame: ServerFrame, reply: Reply): void;
  /** The session to announce after connecting, if one was started here (e.g. `--session`) and not yet told to the server. */
  sessionToAnnounce(): string | undefined;
  /** Marks a session as told to the server. */
  announced(sessionId: string | undefined): void;
  /** The connection ended: a stream request made on it ends with it. */
  connectionEnded(): void;
}

const TYPES: ReadonlySet<string> = new Set(CONTROL_TYPES);

/** Most metric patterns one `start_stream` may name. */
export const MAX_STREAM_PATTERNS = 256;

/** How long a `start_stream` request lasts at most, in ms, unless a dashboard sends it again. */
export const STREAM_MAX_MS = 3_600_000;

/** Creates the {@link ControlHandler} of one transport. */
export function createControlHandler(o: ControlHandlerOptions): ControlHandler {
  let announced: string | undefined;
  let streamTimer: NodeJS.Timeout | undefined;
  const endStream = (why: string): void => {
    clearTimeout(streamTimer);
    if (streamTimer === undefined) return;
    streamTimer = undefined;
    o.control?.setStream(undefined);
    o.logger.warn(`the dashboard's stream request ended (${why}): forwarding every metric again`);
  };
  const refuse = (reply: Reply, inReplyTo: string, code: string, detail: string) => {
    o.logger.warn({ request: inReplyTo, code }, `control message ${inReplyTo} refused: ${detail}`);
    reply({ type: 'error', code, detail, in_reply_to: inReplyTo });
  };

  async function handle(frame: ServerFrame, reply: Reply): Promise<void> {
    const f = frame as Record<string, unknown>;
    o.metrics.control.inc({ type: frame.type });
    const control = o.control;
    switch (frame.type) {
      case 'ping':
        reply({ type: 'pong', ...echo(f) });
        return;
      case 'start_stream': {
        const stream = streamRequest(f);
        if (typeof stream === 'string') return refuse(reply, 'start_stream', 'bad_request', stream);
        if (!control) return refuse(reply, 'start_stream', 'unsupported', 'this transport has no sink to filter');
        control.setStream(stream);
        clearTimeout(streamTimer);
        streamTimer = setTimeout(() => endStream(`it lasted ${STREAM_MAX_MS / 60_000} minutes without being sent again`), STREAM_MAX_MS).unref();
        o.logger.info({ metrics: stream.metrics ?? 'all', interval_ms: stream.intervalMs ?? 0 }, 'start_stream: forwarding only the requested metrics');
        return;
      }
      case 'stop_stream':
        clearTimeout(streamTimer);
        streamTimer = undefined;
        control?.setStream(undefined);
        o.logger.info('stop_stream: forwarding every metric again');
        return;
      case 'start_session': {
        const id = f.session_id;
        if (typeof id !== 'string' || id.length === 0 || id.length > 256) return refuse(reply, 'start_session', 'bad_request', 'session_id must be a string of 1..256 characters');
        if (!control) return refuse(reply, 'start_session', 'unsupported', 'this transport has no sink to tag points');
        control.setSession(id);
        announced = id;
        o.logger.info({ session_id: id, session_name: f.session_name }, `session ${id} started: points are tagged with it`);
        reply({ type: 'session_started', session_id: id, ...(typeof f.session_name === 'string' ? { session_name: f.session_name } : {}) });
        return;
      }
      case 'stop_session': {
        const id = control?.session() ?? (typeof f.session_id === 'string' ? f.session_id : undefined);
        control?.setSession(undefined);
        announced = undefined;
        o.logger.info({ session_id: id }, `session ${id ?? '(none)'} stopped`);
        reply({ type: 'session_stopped', ...(id === undefined ? {} : { session_id: id }) });
        return;
      }
      case 'configure': {
        const id = typeof f.id === 'string' || typeof f.id === 'number' ? { id: f.id } : {};
        if (!control) return reply({ type: 'configure_result', ...id, ok: false, error: 'this transport has no bridge to configure' });
        try {
          const result = await control.configure(f.config);
          o.logger.info('configure: applied by the bridge');
          reply({ type: 'configure_result', ...id, ok: true, ...(result === undefined ? {} : { result }) });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          // A refusal with a code (CONFIGURE_INVALID, CONFIGURE_UNSUPPORTED) is the bridge's answer
          // to a request, not a fault: the logger's serializer says it without a stack trace.
          o.logger.warn({ err }, `configure refused: ${message}`);
          reply({ type: 'configure_result', ...id, ok: false, error: message });
        }
        return;
      }
    }
  }

  return {
    handles: (type): type is ControlType => TYPES.has(type) && type !== 'error',
    unknown(frame, reply) {
      // DESIGN section 3 has `error {code, detail}` for a message not acted on, and a refused
      // request is answered so already: a dashboard that sent a command this version does not
      // know learns it was not done instead of waiting for an answer. Never sent for an `error`
      // frame (the session handles those), so two peers cannot trade errors forever.
      const type = excerpt(frame.type, 64);
      o.metrics.control.inc({ type: 'unknown' });
      o.problems.report('ws:unknown-type', `the server sent a message of unknown type "${type}"; answered with an error frame (unknown_type), not acted on`, { type });
      reply({ type: 'error', code: 'unknown_type', detail: `unknown message type ${JSON.stringify(type)}`, in_reply_to: type });
    },
    handle: (frame, reply) =>
      handle(frame, reply).catch((err: unknown) => {
        o.logger.error({ err, type: frame.type }, 'handling a control message failed');
      }),
    sessionToAnnounce() {
      const current = o.control?.session();
      return current !== undefined && current !== announced ? current : undefined;
    },
    announced(sessionId) {
      announced = sessionId;
    },
    connectionEnded: () => endStream('the connection it came on ended'),
  };
}

/** Fields of a `ping` echoed in the `pong`, so the server can match and time it: numbers and short strings only. */
function echo(f: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['id', 'ts', 't', 'timestamp']) {
    const value = f[key];
    if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= 128)) out[key] = value;
  }
  return out;
}

function streamRequest(f: Record<string, unknown>): StreamRequest | string {
  const { metrics, interval_ms: intervalMs } = f;
  if (metrics !== undefined && !(Array.isArray(metrics) && metrics.every((m) => typeof m === 'string'))) return 'metrics must be an array of metric names';
  if (Array.isArray(metrics) && (metrics.length > MAX_STREAM_PATTERNS || metrics.some((m: string) => m.length > 256))) {
    return `metrics: at most ${MAX_STREAM_PATTERNS} patterns of at most 256 characters`;
  }
  if (intervalMs !== undefined && !(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs >= 0)) return 'interval_ms must be a number >= 0';
  const request: StreamRequest = {};
  if (metrics !== undefined && metrics.length > 0) request.metrics = metrics as string[];
  if (intervalMs !== undefined && intervalMs > 0) request.intervalMs = intervalMs;
  return request;
}
