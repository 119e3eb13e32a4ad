import { Counter, type Registry } from 'prom-client';
import { metricOnce } from '@fieldbridge/core/bridge';

/**
 * The metrics only MAVLink has. Points, messages, errors by kind, suppressed and dropped points
 * and each channel's connection are the kit's standard ones (`ctx.metrics`; channels are the
 * link and one per vehicle). Labels are system ids (at most 256) and problem kinds (a fixed
 * set), and each labelled child is made once, so counting is one increment.
 */
export interface MavlinkMetrics {
  /** `fieldbridge_mavlink_frames_total{system}`: frames accepted per system (duplicates apart). */
  frames(sysid: number, count: number): void;
  /** `fieldbridge_mavlink_frames_lost_total{system}`: frames missing from each system's sequence numbers. */
  lost(sysid: number, count: number): void;
  /** `fieldbridge_mavlink_problems_total{system,kind}`: parse problems per system (`none` when the bytes name none). */
  problem(sysid: number | undefined, kind: string): void;
  /** `fieldbridge_mavlink_received_bytes_total`: bytes read from the link. */
  bytes(count: number): void;
}

const names = {
  frames: 'fieldbridge_mavlink_frames_total',
  lost: 'fieldbridge_mavlink_frames_lost_total',
  problems: 'fieldbridge_mavlink_problems_total',
  bytes: 'fieldbridge_mavlink_received_bytes_total',
} as const;

/** Creates the metrics on `registry`, or reuses them when a reload created them already. */
export function createMavlinkMetrics(registry: Registry): MavlinkMetrics {
  const registers = [registry];
  const get = <T>(name: string, make: () => T): T => metricOnce(registry, name, make);
  const frames = get(names.frames, () => new Counter({ name: names.frames, help: 'MAVLink frames accepted per system (duplicates apart).', labelNames: ['system'], registers }));
  const lost = get(names.lost, () => new Counter({ name: names.lost, help: 'MAVLink frames missing from the sequence numbers of each system.', labelNames: ['system'], registers }));
  const problems = get(names.problems, () =>
    new Counter({ name: names.problems, help: 'MAVLink parse problems per system (none when the bytes name no system) and kind.', labelNames: ['system', 'kind'], registers }));
  const bytes = get(names.bytes, () => new Counter({ name: names.bytes, help: 'Bytes read from the MAVLink connection.', registers }));
  const frameChildren = new Map<number, { inc(n: number): void }>();
  const lostChildren = new Map<number, { inc(n: number): void }>();
  const problemChildren = new Map<string, { inc(): void }>();
  const child = <C>(cache: Map<number, C>, sysid: number, make: () => C): C => {
    let c = cache.get(sysid);
    if (!c) cache.set(sysid, (c = make()));
    return c;
  };
  return {
    frames(sysid, count) {
      if (count > 0) child(frameChildren, sysid, () => frames.labels(String(sysid))).inc(count);
    },
    lost(sysid, count) {
      if (count > 0) child(lostChildren, sysid, () => lost.labels(String(sysid))).inc(count);
    },
    problem(sysid, kind) {
      const system = sysid === undefined ? 'none' : String(sysid);
      const key = `${system}|${kind}`;
      let c = problemChildren.get(key);
      if (!c) problemChildren.set(key, (c = problems.labels(system, kind)));
      c.inc();
    },
    bytes(count) {
      bytes.inc(count);
    },
  };
}
