import { durationOption, type BridgeCliIo, type BridgeCliOption } from '@fieldbridge/core/bridge';
import type { ResolvedDevice } from './resolve.js';
import { parseUnitRange, scanRegister, scanUnits } from './unit-scan.js';
import { describeAnswer, isPresent, scanHeading, scanSummary } from './unit-scan-format.js';

/** The options `bridge-modbus` adds to find which unit ids answer on a line. */
export const SCAN_UNITS_OPTIONS: BridgeCliOption[] = [
  {
    flags: '--scan-units [range]',
    inspects: true,
    description:
      "ask every unit id of RANGE (default: every id the line can address: 1-247 on a serial line, 0-255 over Modbus TCP) on the device's connection for one register and list the ids that answer, then exit",
  },
  { flags: '--scan-timeout <duration>', description: 'how long each unit id gets to answer during --scan-units (default 300ms)' },
];

/** How long each id gets: 300 ms unless told (a device on a serial line answers in tens of ms). */
const SCAN_TIMEOUT = { flag: '--scan-timeout', defaultMs: 300, minMs: 20, maxMs: 10_000 };

/**
 * `--scan-units [range]`: prints each id that answers as it answers, then which ids a device
 * serves and what to check when none does. Resolves with the exit code: 0 when some device
 * answered, 1 when none did or the line cannot be opened, 2 for a wrong range or timeout.
 */
export async function handleScanUnits(options: Record<string, unknown>, device: ResolvedDevice, io: BridgeCliIo): Promise<number> {
  const timeout = durationOption(options.scanTimeout, SCAN_TIMEOUT);
  if (!timeout.ok) {
    io.stderr.write(`${timeout.message}\n`);
    return 2;
  }
  let range;
  try {
    range = parseUnitRange(options.scanUnits, device.connection);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const register = scanRegister(device);
  io.stdout.write(`${scanHeading(device.name, device.connection, range, register, timeout.ms)}\n`);
  try {
    const report = await scanUnits(device, {
      range,
      register,
      timeoutMs: timeout.ms,
      onAnswer: (answer) => io.stdout.write(`${describeAnswer(answer, register)}\n`),
    });
    io.stdout.write(`\n${scanSummary(report).join('\n')}\n`);
    return report.answers.some(isPresent) ? 0 : 1;
  } catch (err) {
    io.stderr.write(`bridge-modbus --scan-units: ${(err as Error).message}\n`);
    return 1;
  }
}
