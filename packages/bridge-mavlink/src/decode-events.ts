import type { Point } from '@fieldbridge/core/bridge';
import type { Dialect } from './dialect.js';
import { enumText } from './enum-text.js';
import type { VehicleEvent } from './vehicle-tracker.js';

/** Metric names of the points vehicle events give, by event kind. Fixed: dashboards and alerts key on them. */
export const EVENT_METRICS = {
  'vehicle.found': 'vehicle.found',
  'link.lost': 'link.lost',
  'link.restored': 'link.restored',
  'mode.changed': 'mode.changed',
  'armed.changed': 'armed.changed',
  'vehicle.restarted': 'vehicle.restarted',
  'link.stats': 'link.loss_ratio',
  'route.added': 'route.added',
  'route.changed': 'route.changed',
  'route.shared': 'route.shared',
} as const satisfies Record<VehicleEvent['kind'], string>;

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * The point of one vehicle event, stamped with the event's time: an `event` whose value says
 * what happened (`link.lost` `{ since_heartbeat_s }`, `mode.changed` `{ mode, previous }`...), or
 * for `link.stats` the metric `link.loss_ratio` (frames lost / frames expected since the previous
 * one; none when no frame came), tagged `route` while the vehicle has several. Components other
 * than the autopilot (1) are tagged `compid`.
 */
export function eventPoint(event: VehicleEvent, sourceId: string, dialect: Dialect | undefined): Point | undefined {
  const base = { metric: EVENT_METRICS[event.kind], timestamp: event.atMs, source_id: sourceId };
  const tagged = (compid: number, point: Point): Point => (compid === 1 ? point : { ...point, tags: { compid: String(compid) } });
  switch (event.kind) {
    case 'vehicle.found': {
      const type = dialect?.enumEntries('MAV_TYPE');
      const autopilot = dialect?.enumEntries('MAV_AUTOPILOT');
      return {
        ...base,
        class: 'event',
        value: { compid: event.compid, type: type ? enumText(type, event.type) : event.type, autopilot: autopilot ? enumText(autopilot, event.autopilot) : event.autopilot },
      };
    }
    case 'link.lost':
      return { ...base, class: 'event', value: { since_heartbeat_s: seconds(event.atMs - event.lastHeartbeatMs) } };
    case 'link.restored':
      return { ...base, class: 'event', value: { down_s: seconds(event.downMs) } };
    case 'mode.changed':
      return tagged(event.compid, { ...base, class: 'event', value: event.previous === undefined ? { mode: event.mode } : { mode: event.mode, previous: event.previous } });
    case 'armed.changed':
      return tagged(event.compid, { ...base, class: 'event', value: event.previous === undefined ? { armed: event.armed } : { armed: event.armed, previous: event.previous } });
    case 'vehicle.restarted':
      return tagged(event.compid, { ...base, class: 'event', value: { compid: event.compid } });
    case 'link.stats': {
      const expected = event.received + event.lost;
      if (expected === 0) return undefined;
      const point: Point = { ...base, class: 'metric', value: event.lost / expected };
      if (event.route !== undefined) point.tags = { route: event.route };
      return point;
    }
    case 'route.added':
      return { ...base, class: 'event', value: { route: event.route, in_use: event.inUse } };
    case 'route.changed':
      return { ...base, class: 'event', value: { route: event.route, previous: event.previous, quiet_s: seconds(event.quietMs) } };
    case 'route.shared':
      return tagged(event.compid, { ...base, class: 'event', value: { route: event.route, in_use: event.inUse, why: event.why } });
  }
}
