/**
 * The Plexus WebSocket device protocol (DESIGN section 3), as fieldbridge speaks it. What the
 * transport asks of whoever acts on a dashboard's control messages is `DeviceControl`, in
 * `control/device-control.ts`.
 */

/**
 * Extensions of the protocol a server may announce in `authenticated.extensions` (gateway-dev
 * does): `ack` and `time_sync`, and `signature` when it checks the signature of telemetry frames.
 */
export type WsExtension = 'ack' | 'time_sync' | 'signature';

/** A frame the server sends, after parsing; unknown types keep their fields. */
export type ServerFrame =
  | { type: 'authenticated'; source_id?: unknown; server_time_ms?: unknown; extensions?: unknown }
  | { type: 'ack'; trace_id?: unknown }
  | { type: 'time_sync'; t0?: unknown; t1?: unknown; t2?: unknown }
  | { type: 'error'; code?: unknown; message?: unknown; detail?: unknown; trace_id?: unknown }
  | { type: string; [field: string]: unknown };

/** Control message types a dashboard sends, which the transport acts on. */
export const CONTROL_TYPES = ['ping', 'start_stream', 'stop_stream', 'start_session', 'stop_session', 'configure', 'error'] as const;

/** One of {@link CONTROL_TYPES}. */
export type ControlType = (typeof CONTROL_TYPES)[number];

/** Reads one text frame; undefined when it is not a JSON object with a string `type`. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the caller counts and logs it as a malformed frame.
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? (value as ServerFrame) : undefined;
}
