import { excerpt, formatDuration } from '@fieldbridge/core/bridge';
import { z } from 'zod';
import { pollMsSchema } from './config.js';
import { ModbusBridgeError } from './errors.js';

/**
 * A dashboard's `configure {config}` for bridge-modbus: a poll interval for every device
 * (`poll_ms`) and/or per device by name (`devices: { press1: { poll_ms } }`, which wins), in the
 * units and range of the mapping's `poll_ms`. `bridge: "modbus"` is allowed (a file of several
 * sections routes on it). Nothing else is accepted.
 */
const configureRequestSchema = z.strictObject({
  bridge: z.literal('modbus').optional(),
  poll_ms: pollMsSchema.optional(),
  devices: z.record(z.string(), z.strictObject({ poll_ms: pollMsSchema })).optional(),
});

/** What a configure request answers: the poll interval now in force for every device, in ms. */
export interface ModbusConfigureResult {
  poll_ms: Record<string, number>;
}

const USAGE = 'bridge-modbus accepts {"poll_ms": 500} (every device) and {"devices": {"<name>": {"poll_ms": "2s"}}} (range 10ms..1d)';
/** Problems named in one refusal; the rest are counted. */
const MAX_NAMED = 5;

/**
 * The poll interval of every device after `request`, from `current` (device name to ms). Throws
 * `CONFIGURE_INVALID` naming every problem (an unknown key or device, an interval out of range,
 * nothing to change), so that a refused request changes nothing.
 */
export function planConfigure(request: unknown, current: ReadonlyMap<string, number>): Map<string, number> {
  const parsed = configureRequestSchema.safeParse(request);
  const refuse = (problems: string[]): never => {
    const named = problems.slice(0, MAX_NAMED).join('; ') + (problems.length > MAX_NAMED ? `; and ${problems.length - MAX_NAMED} more` : '');
    throw new ModbusBridgeError('CONFIGURE_INVALID', `configure refused, nothing changed: ${excerpt(named, 1000)}; ${USAGE}`);
  };
  if (!parsed.success) {
    return refuse(parsed.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.code === 'unrecognized_keys' ? `unknown key ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message}`));
  }
  const { poll_ms: all, devices = {} } = parsed.data;
  const unknown = Object.keys(devices).filter((name) => !current.has(name));
  if (unknown.length > 0) return refuse(unknown.map((name) => `devices.${name}: no such device (the devices are ${[...current.keys()].join(', ')})`));
  if (all === undefined && Object.keys(devices).length === 0) return refuse(['nothing to change']);
  const next = new Map<string, number>();
  for (const [name, ms] of current) next.set(name, devices[name]?.poll_ms ?? all ?? ms);
  return next;
}

/** `press1 every 500ms, press2 every 2s`, for the log line of an applied request. */
export function describePolls(polls: ReadonlyMap<string, number>): string {
  return [...polls].map(([name, ms]) => `${name} every ${formatDuration(ms)}`).join(', ');
}
