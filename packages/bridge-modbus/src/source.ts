import type { BridgeContext, BridgeInstance, SourceState } from '@fieldbridge/core/bridge';
import type { ModbusClient } from './client.js';
import { DevicePoller } from './_device.js';
import { Line } from './_line.js';
import { createModbusMetrics } from './_metrics.js';
import type { ModbusConfig } from './config.js';
import { lineKey, type ConnectionSpec } from './connection-url.js';
import { describePolls, planConfigure, type ModbusConfigureResult } from './configure.js';
import { ModbusBridgeError } from './errors.js';
import type { ReadRequest } from './plan.js';
import { resolveConfig, type ResolvedDevice, type ResolvedPoint } from './resolve.js';

/** Options of {@link createModbusSource}, mostly for tests. */
export interface ModbusSourceOptions {
  /** Opens a connection; defaults to modbus-serial, loaded on first use. */
  open?: (spec: ConnectionSpec, timeoutMs: number, signal?: AbortSignal) => Promise<ModbusClient>;
  /** Random source for reconnect jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * `coalesce` (default) merges nearby points into few requests; `one-per-point` sends a
   * request per point, as a naive poller does (for benchmarks and for comparison).
   */
  planning?: 'coalesce' | 'one-per-point';
}

/** A device as the source sees it right now. */
export interface ModbusDeviceStatus {
  name: string;
  /** Its channel's state. */
  state: SourceState;
  /** The requests one cycle sends. */
  requests: readonly ReadRequest<ResolvedPoint>[];
  /** The poll interval in force, in ms: the mapping's `poll_ms`, or a `configure` request's. */
  pollMs: number;
}

/** The Modbus bridge instance, plus a view of its devices. */
export interface ModbusSource extends BridgeInstance {
  /** Devices with their current request plans. */
  devices(): ModbusDeviceStatus[];
  /**
   * Runs one poll cycle of every device, connecting first where needed. Rejects with
   * `READ_FAILED` (after the cycle, so what could be read was written) when a line could not
   * be opened or a device answered nothing; unless `start()` was called, it then also closes
   * the connections it opened.
   */
  once(): Promise<void>;
  /**
   * Applies a dashboard's `configure` request: poll intervals for every device (`{"poll_ms":
   * 500}`) and/or by device name (`{"devices": {"press1": {"poll_ms": "2s"}}}`), in the units and
   * range of the mapping's `poll_ms`. Resolves with every device's interval now in force;
   * rejects `CONFIGURE_INVALID` (nothing changed) for anything else. A reload of the mapping
   * (SIGHUP) returns to the file's intervals.
   */
  configure(request: unknown): Promise<ModbusConfigureResult>;
}

interface LineEntry {
  line: Line;
  pollers: DevicePoller[];
}

function groupByLine(devices: ResolvedDevice[]): Map<string, ResolvedDevice[]> {
  const groups = new Map<string, ResolvedDevice[]>();
  for (const device of devices) {
    const key = lineKey(device.connection);
    groups.set(key, [...(groups.get(key) ?? []), device]);
  }
  return groups;
}

/**
 * Creates the Modbus source: one {@link Line} per connection (one client per serial port or
 * socket, unit ids polled in turn through its queue) and one poller per device, each device a
 * required channel named after it. Nothing connects and modbus-serial is not loaded until
 * `start()` or `once()`.
 */
export function createModbusSource(config: ModbusConfig, ctx: BridgeContext, options: ModbusSourceOptions = {}): ModbusSource {
  const metrics = createModbusMetrics(ctx.registry);
  const entries: LineEntry[] = [];
  for (const devices of groupByLine(resolveConfig(config)).values()) {
    const first = devices[0] as ResolvedDevice;
    const pollers: DevicePoller[] = [];
    const line = new Line({
      spec: first.connection,
      connectTimeoutMs: Math.max(...devices.map((d) => d.timeoutMs)),
      reconnect: first.reconnect,
      problems: ctx.problems,
      hooks: {
        onUp: () => pollers.forEach((p) => p.lineUp()),
        onDown: (reason) => pollers.forEach((p) => p.lineDown(reason)),
        onConnectFailed: (error) => {
          for (const p of pollers) {
            ctx.metrics.error(p.device.name, 'connect');
            p.lineDown(error.message);
          }
        },
      },
      ...(options.open ? { open: options.open } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    for (const device of devices) pollers.push(new DevicePoller(device, line, ctx, metrics, options.planning));
    entries.push({ line, pollers });
  }
  const pollers = entries.flatMap((e) => e.pollers);
  let started = false;
  let stopping: Promise<void> | undefined;

  return {
    async start() {
      if (started || stopping) return;
      started = true;
      for (const { line } of entries) line.start();
      for (const poller of pollers) poller.start();
    },

    async once() {
      const failures: string[] = [];
      await Promise.all(
        entries.map(async ({ line, pollers: onLine }) => {
          try {
            await line.openOnce();
          } catch (err) {
            failures.push(`${line.label}: ${(err as Error).message}`);
            return;
          }
          for (const poller of onLine) {
            const result = await poller.cycle();
            // A device that gave no value (no answer, or only exceptions) could not be read.
            if (result.read === 0 && result.errors.length > 0) failures.push(`device ${poller.device.name}: ${result.errors.join('; ')}`);
          }
        }),
      );
      if (failures.length === 0) return;
      // Nothing else may close what this call opened: a caller that sees the rejection
      // might not call stop(), and open sockets would keep the process alive.
      if (!started) await Promise.all(entries.map((e) => e.line.disconnect()));
      throw new ModbusBridgeError('READ_FAILED', `one poll cycle could not read every device: ${failures.join(' | ')}`);
    },

    stop() {
      stopping ??= (async () => {
        const polls = pollers.map((p) => p.stop());
        await Promise.all(entries.map((e) => e.line.stop()));
        await Promise.all(polls);
      })();
      return stopping;
    },

    devices() {
      return pollers.map((p) => ({ name: p.device.name, state: p.currentState(), requests: p.plan(), pollMs: p.pollInterval() }));
    },

    async configure(request) {
      // Every device's new interval is worked out (or the request refused) before any changes.
      const next = planConfigure(request, new Map(pollers.map((p) => [p.device.name, p.pollInterval()])));
      for (const poller of pollers) poller.setPollInterval(next.get(poller.device.name)!);
      ctx.logger.info({ poll_ms: Object.fromEntries(next) }, `configure: polling ${describePolls(next)} until the mapping is reloaded`);
      const result: ModbusConfigureResult = { poll_ms: Object.fromEntries(next) };
      return result;
    },
  };
}
