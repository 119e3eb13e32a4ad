import { Counter, Gauge, type Registry } from 'prom-client';
import type { FrameOutcome } from './decode.js';
import { metricOnce } from '@fieldbridge/core/bridge';

/** Outcomes counted in `fieldbridge_can_frames_total`: the decoder's, frames dropped while the sink was full, and log lines that gave no frame. */
export type CountedOutcome = FrameOutcome | 'blocked' | 'malformed' | 'transport';

const OUTCOMES: readonly CountedOutcome[] = ['decoded', 'excluded', 'unknown', 'error', 'remote', 'blocked', 'malformed', 'transport'];

/**
 * The metrics only CAN has, for one bus. Points, messages (frames read), errors by kind,
 * points suppressed by the change filter and dropped while blocked, and the bus's connection
 * state are the kit's standard ones (`ctx.metrics`, channel = the bus).
 */
export interface CanMetrics {
  /** Counts one frame (or log line) by what became of it. */
  frame(outcome: CountedOutcome): void;
  /** Counts a frame no DBC file defines, by id: the first `maxIds` ids one by one (true), the rest as `other` (false). */
  unknown(id: string): boolean;
  /** The frames the socket's receive buffer holds (`net.core.rmem_default` / 768 bytes). */
  receiveBuffer(frames: number): void;
}

function family(registry: Registry) {
  const registers = [registry];
  const get = <T>(name: string, make: () => T): T => metricOnce(registry, name, make);
  return {
    frames: get('fieldbridge_can_frames_total', () =>
      new Counter({
        name: 'fieldbridge_can_frames_total',
        help: 'CAN frames by outcome: decoded, excluded (left out by the mapping), unknown (no DBC entry), error, remote, blocked (dropped while the spool was full), malformed (log lines), transport (J1939 transport protocol frames; each message they carry is counted again by its own outcome).',
        labelNames: ['bus', 'outcome'],
        registers,
      })),
    unknown: get('fieldbridge_can_unknown_frames_total', () =>
      new Counter({ name: 'fieldbridge_can_unknown_frames_total', help: 'CAN frames with no DBC entry, by id (bounded: further ids are counted as id="other").', labelNames: ['bus', 'id'], registers })),
    buffer: get('fieldbridge_can_receive_buffer_frames', () =>
      new Gauge({ name: 'fieldbridge_can_receive_buffer_frames', help: 'About how many frames the SocketCAN receive buffer holds while the bridge is busy (net.core.rmem_default / 768).', labelNames: ['bus'], registers })),
  };
}

/** Creates the metrics on `registry` (or reuses them after a reload), with the children of `bus` made once. */
export function createCanMetrics(registry: Registry, bus: string, maxIds: number): CanMetrics {
  const f = family(registry);
  const outcomes = new Map(OUTCOMES.map((o) => [o, f.frames.labels(bus, o)]));
  const ids = new Map<string, ReturnType<typeof f.unknown.labels>>();
  const other = f.unknown.labels(bus, 'other');
  return {
    frame: (outcome) => outcomes.get(outcome)!.inc(),
    unknown(id) {
      let child = ids.get(id);
      if (!child) {
        if (ids.size >= maxIds) {
          other.inc();
          return false;
        }
        ids.set(id, (child = f.unknown.labels(bus, id)));
      }
      child.inc();
      return true;
    },
    receiveBuffer: (frames) => f.buffer.set({ bus }, frames),
  };
}
