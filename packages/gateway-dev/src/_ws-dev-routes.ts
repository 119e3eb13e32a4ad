import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './_body.js';
import { messageOf, sendJson } from './_context.js';
import type { Route } from './_context.js';
import type { DeviceHub } from './_ws-device.js';
import { isGatewayError } from './errors.js';
import type { ControlMessage } from './types.js';

const MAX_DEV_BODY_BYTES = 256 * 1024;

async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(req, { maxBytes: MAX_DEV_BODY_BYTES });
  if (!body.ok) {
    sendJson(res, body.status, { error: body.error });
    return undefined;
  }
  const text = body.body.toString('utf8').trim();
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (err) {
    sendJson(res, 400, { error: `body is not valid JSON: ${messageOf(err)}` });
    return undefined;
  }
  sendJson(res, 400, { error: 'body must be a JSON object' });
  return undefined;
}

async function postControl(hub: DeviceHub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await jsonBody(req, res);
  if (body === undefined) return;
  const { source_id: sourceId, message, timeout_ms: timeoutMs } = body;
  if (sourceId !== undefined && typeof sourceId !== 'string') return sendJson(res, 400, { error: 'source_id must be a string' });
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) return sendJson(res, 400, { error: 'timeout_ms must be a positive number' });
  try {
    const results = await hub.sendControl(sourceId, message as ControlMessage, timeoutMs === undefined ? {} : { timeoutMs });
    sendJson(res, 200, { results });
  } catch (err) {
    if (isGatewayError(err, 'CONTROL_INVALID')) return sendJson(res, 400, { error: err.message });
    if (isGatewayError(err, 'NO_DEVICE')) return sendJson(res, 404, { error: err.message });
    throw err;
  }
}

/**
 * Dev endpoints of the WebSocket side (no key): connected devices, sending them control
 * messages (the dashboard's role, for demos and tests), and dropping their connections.
 */
export function wsDevRoutes(hub: DeviceHub): Route[] {
  return [
    {
      path: '/_dev/devices',
      methods: {
        GET: async (_req, res) => {
          const devices = hub.devices();
          sendJson(res, 200, { count: devices.length, devices });
        },
      },
    },
    { path: '/_dev/control', methods: { POST: (req, res) => postControl(hub, req, res) } },
    {
      path: '/_dev/disconnect',
      methods: {
        POST: async (req, res) => {
          const body = await jsonBody(req, res);
          if (body === undefined) return;
          if (body.source_id !== undefined && typeof body.source_id !== 'string') return sendJson(res, 400, { error: 'source_id must be a string' });
          sendJson(res, 200, { disconnected: hub.disconnect(body.source_id) });
        },
      },
    },
  ];
}
