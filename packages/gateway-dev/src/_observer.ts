import type { LiveVia } from './live-types.js';
import type { DeviceInfo, StoredPoint } from './types.js';

/** A request or frame the gateway refused. */
export interface Refusal {
  via: LiveVia;
  /** HTTP status, `"dropped"`, or the WebSocket error code. */
  status: number | string;
  error: string;
  /** The source it named, when known. */
  sourceId?: string | undefined;
}

/**
 * What the routes and the WebSocket side report as it happens, for the live page. Calls are
 * synchronous and must be cheap: they run on the ingest path.
 */
export interface GatewayObserver {
  /** A batch was stored (every point has its `source_id` and `received_at_ms`). */
  stored(batch: readonly StoredPoint[], via: LiveVia): void;
  refused(refusal: Refusal): void;
  deviceConnected(device: DeviceInfo): void;
  deviceClosed(device: DeviceInfo): void;
  /** `device_auth` was refused; `sourceId` is the one asked for, when it was a valid id. */
  deviceRefused(sourceId: string | undefined, code: string, message: string): void;
  /** A frame to (`out`) or from (`in`) a device, other than telemetry. */
  deviceFrame(sourceId: string, frame: Record<string, unknown>, dir: 'in' | 'out'): void;
}

/** The observer of a gateway without the live page. */
export const quietObserver: GatewayObserver = {
  stored: () => undefined,
  refused: () => undefined,
  deviceConnected: () => undefined,
  deviceClosed: () => undefined,
  deviceRefused: () => undefined,
  deviceFrame: () => undefined,
};
