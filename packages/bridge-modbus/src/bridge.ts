import { defineBridge, formatDuration, packageVersion, type BridgeCliIo } from '@fieldbridge/core/bridge';
import { checkModbus } from './check.js';
import { modbusConfigSchema, type ModbusConfig } from './config.js';
import { formatConnection } from './connection-url.js';
import { isModbusBridgeError } from './errors.js';
import { planRequests, describeRequest } from './plan.js';
import { modbusPointTags } from './point-tags.js';
import { registerPart } from './register-part.js';
import { parseProbeRange, probeDevice } from './probe.js';
import { formatBitProbe, parseBitProbeRange, probeBits } from './probe-bits.js';
import { formatProbe, FULL_UP_TO } from './probe-format.js';
import { MODBUS_DEFAULTS, resolveConfig, type ResolvedDevice, type ResolvedPoint } from './resolve.js';
import { handleScanUnits, SCAN_UNITS_OPTIONS } from './scan-units-command.js';
import { createModbusSource } from './source.js';
import { MODBUS_STARTER } from './starter.js';
import { MODBUS_OTHER_NAMES } from './other-names.js';

/** Lines `--check` prints: each device, its schedule and the requests one cycle sends. */
export function describeModbus(config: ModbusConfig): string[] {
  const lines: string[] = [];
  for (const device of resolveConfig(config)) {
    const requests = planRequests(device.points, device);
    lines.push(
      `${device.name}: unit ${device.unitId} on ${formatConnection(device.connection)}, every ${device.pollMs} ms (timeout ${device.timeoutMs} ms, retries ${device.retries}${busyTries(device)}), ` +
        `${count(device.points.length, 'point')} in ${count(requests.length, 'request')}`,
    );
    for (const request of requests) {
      const every = request.everyMs === undefined ? '' : ` (every ${formatDuration(request.everyMs)})`;
      lines.push(`  ${describeRequest(request)}${every}: ${request.points.map((p) => `${p.metric} (${describeType(p)})`).join(', ')}`);
    }
  }
  return lines;
}

/** The busy answers' tries, when the mapping changes them (`, busy_retries 5 250 ms apart`). */
function busyTries(device: ResolvedDevice): string {
  const { busyRetries, busyRetriesWaitMs } = device;
  if (busyRetries === MODBUS_DEFAULTS.busyRetries && busyRetriesWaitMs === MODBUS_DEFAULTS.busyRetriesWaitMs) return '';
  return busyRetries === 0 ? ', busy_retries 0' : `, busy_retries ${busyRetries} ${busyRetriesWaitMs} ms apart`;
}

/** `float32`, `bit 3`, `bitfield bits 4-7`, `uint8 high byte`: the type, and the part of its register a point reads. */
function describeType(point: ResolvedPoint): string {
  if (point.type === 'bit') return `bit ${point.bit ?? 0}`;
  const part = registerPart(point, point.byteOrder);
  return part ? `${point.type} ${part.label}` : point.type;
}

/** `1 point`, `2 points`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `--probe RANGE` and `--scan-units [RANGE]`, on the device `--device` names (default: the first). */
async function handleInspect(options: Record<string, unknown>, config: ModbusConfig, io: BridgeCliIo): Promise<number | undefined> {
  const probe = typeof options.probe === 'string';
  const scan = options.scanUnits !== undefined;
  if (options.probeAll === true && !probe) {
    io.stderr.write('--probe-all goes with --probe RANGE\n');
    return 2;
  }
  if (!probe && !scan) return undefined;
  if (probe && scan) {
    io.stderr.write('--probe and --scan-units: give one of them\n');
    return 2;
  }
  const devices = resolveConfig(config);
  const wanted = typeof options.device === 'string' ? options.device : undefined;
  const device = wanted === undefined ? devices[0] : devices.find((d) => d.name === wanted);
  if (!device) {
    io.stderr.write(`--device ${wanted}: no such device (the mapping has ${devices.map((d) => d.name).join(', ')})\n`);
    return 2;
  }
  if (scan) return handleScanUnits(options, device, io);
  try {
    const bits = parseBitProbeRange(options.probe as string);
    if (bits) {
      io.stdout.write(formatBitProbe(await probeBits(device, bits)));
      return 0;
    }
    const range = parseProbeRange(options.probe as string);
    io.stdout.write(formatProbe(await probeDevice(device, range), { all: options.probeAll === true }));
    return 0;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return isModbusBridgeError(err, 'PROBE_INVALID') ? 2 : 1;
  }
}

/**
 * The Modbus bridge: the `modbus:` section's schema and how to run it. Run it with the core's
 * `startBridge(modbusBridge, config)` or from the command line (`bridge-modbus --config FILE`).
 */
export const modbusBridge = defineBridge({
  name: 'modbus',
  version: packageVersion(import.meta.url),
  reads: 'Modbus TCP, RTU and RTU-over-TCP devices',
  otherNames: MODBUS_OTHER_NAMES,
  configSchema: modbusConfigSchema,
  check: checkModbus,
  pointTags: modbusPointTags,
  describe: describeModbus,
  starter: () => MODBUS_STARTER,
  create: (config, ctx) => createModbusSource(config, ctx),
  cli: {
    options: [
      {
        flags: '--probe <range>',
        inspects: true,
        description:
          'read a register range once (e.g. holding:100-109 or input:0+8) and print each register as 16-bit values, the float32 starting at each register under every byte order, and the byte order that looks right with the registers it is based on, then exit; coil:0-15 or discrete:0+32 prints the bits, and which are on',
      },
      {
        flags: '--probe-all',
        description: `with --probe: also print the hex, uint32 and int32 of every 32-bit reading and every 64-bit reading under each byte order (printed anyway for ${FULL_UP_TO} registers or fewer)`,
      },
      ...SCAN_UNITS_OPTIONS,
      { flags: '--device <name>', description: 'the device --probe or --scan-units asks (default: the first in the mapping)' },
    ],
    handle: handleInspect,
  },
});
