import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { Gateway } from '../src/index.js';
import { KEY } from './helpers.js';

type Frame = Record<string, unknown>;

/** A hand-driven device on a real WebSocket: every frame it receives is kept, in order. */
export interface RawDevice {
  ws: WebSocket;
  frames: Frame[];
  send(frame: Frame): void;
  /** Resolves with the first received frame (from `from` on) that `match` accepts. */
  next(match: (f: Frame) => boolean, from?: number): Promise<Frame>;
  /** Resolves when the connection closes, with the close code. */
  closed: Promise<number>;
}

const open: WebSocket[] = [];
afterEach(() => {
  for (const ws of open.splice(0)) ws.terminate();
});

/** Connects to the gateway's device endpoint; `answer` makes it reply to control messages like a device would. */
export async function connectDevice(gateway: Gateway, answer = false): Promise<RawDevice> {
  const ws = new WebSocket(gateway.wsUrl);
  open.push(ws);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    if (answer && frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong', ...(frame.id === undefined ? {} : { id: frame.id }) }));
    if (answer && frame.type === 'start_session') ws.send(JSON.stringify({ type: 'session_started', session_id: frame.session_id }));
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const device: RawDevice = {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next: (match, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.slice(from).find(match);
          if (found) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
        void closed.then(() => {
          if (waiters.delete(check)) reject(new Error(`closed before a matching frame; got ${JSON.stringify(frames)}`));
        });
      }),
  };
  return device;
}

/** Connects and authenticates; resolves with the device and the `authenticated` frame. */
export async function authenticatedDevice(
  gateway: Gateway,
  auth: { source_id?: string; install_id?: string; api_key?: string; platform?: string; agent_version?: string } = {},
  answer = false,
): Promise<{ device: RawDevice; authenticated: Frame }> {
  const device = await connectDevice(gateway, answer);
  device.send({ type: 'device_auth', api_key: KEY, source_id: 'dev-a', install_id: 'install-a', platform: 'test', agent_version: '1.0.0', ...auth });
  const authenticated = await device.next((f) => f.type === 'authenticated' || f.type === 'error');
  return { device, authenticated };
}

/** A telemetry frame with `n` numeric points. */
export function telemetry(traceId: string, n = 2, extra: Frame = {}): Frame {
  const points = Array.from({ length: n }, (_, i) => ({ metric: 'line1.rpm', value: 1000 + i, timestamp: 1_700_000_000_000 + i }));
  return { type: 'telemetry', trace_id: traceId, points, ...extra };
}
