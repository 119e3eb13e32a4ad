import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { startMavlinkSimulator } from './simulator.js';

const USAGE = `Usage: bridge-mavlink-sim [--host 127.0.0.1] [--port 14550] [--rate 10] [--mode-period 30s]

Flies two simulated vehicles (system 1: an ArduCopter circling, system 2: an ArduPlane on a
figure eight) and sends their MAVLink 2 frames over UDP to host:port, where a bridge listens with
connection udpin://0.0.0.0:14550. HEARTBEAT, SYS_STATUS and BATTERY_STATUS at rate/10 Hz,
GLOBAL_POSITION_INT and VFR_HUD at rate/2, ATTITUDE at rate; flight modes change every period.
Prints the bridge's connection URL on stdout and runs until SIGINT or SIGTERM.
`;

/** The `bridge-mavlink-sim` command. Resolves with the exit code once stopped by a signal. */
export async function main(argv: string[]): Promise<number> {
  let values: { host?: string | undefined; port?: string | undefined; rate?: string | undefined; 'mode-period'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, rate: { type: 'string' }, 'mode-period': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 14550 : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`--port ${values.port}: not a UDP port (1-65535)\n`);
    return 2;
  }
  const rateHz = values.rate === undefined ? 10 : Number(values.rate);
  if (!Number.isFinite(rateHz) || rateHz <= 0 || rateHz > 1000) {
    process.stderr.write(`--rate ${values.rate}: ticks per second, above 0 and at most 1000\n`);
    return 2;
  }
  const period = values['mode-period'] === undefined ? undefined : /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(values['mode-period']);
  if (period === null) {
    process.stderr.write(`--mode-period ${values['mode-period']}: a duration such as 30s or 5000ms\n`);
    return 2;
  }
  const modePeriodMs = period ? Number(period[1]) * (period[2] === 'ms' ? 1 : 1000) : undefined;
  const sim = await startMavlinkSimulator({ port, rateHz, ...(values.host ? { host: values.host } : {}), ...(modePeriodMs ? { modePeriodMs } : {}) });
  process.stdout.write(`${sim.target}\n`);
  process.stderr.write(`mavlink simulator: systems 1 (copter) and 2 (plane) sending to ${values.host ?? '127.0.0.1'}:${port} at ${rateHz} Hz\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sim.close();
  return 0;
}
