import { durationMs } from '@fieldbridge/core/bridge';
import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import { startMavlinkSimulator } from './simulator.js';

const USAGE = `Usage: bridge-mavlink-sim [--host 127.0.0.1] [--port 14550] [--tcp] [--rate 10] [--mode-period 30s]

Flies two simulated vehicles (system 1: an ArduCopter circling, system 2: an ArduPlane on a
figure eight) and sends their MAVLink 2 frames over UDP to host:port, where a bridge listens with
connection udpin://0.0.0.0:14550; with --tcp it listens on host:port instead (default 5760, 0
picks a free port) and streams to every client, as ArduPilot SITL does (connection tcp://host:port).
HEARTBEAT, SYS_STATUS and BATTERY_STATUS at rate/10 Hz, GLOBAL_POSITION_INT and VFR_HUD at
rate/2, ATTITUDE at rate; flight modes change every period. Prints the bridge's connection URL
on stdout and runs until SIGINT or SIGTERM.
`;

/** The `bridge-mavlink-sim` command. Resolves with the exit code once stopped by a signal. */
export function main(argv: string[]): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-mavlink-sim',
      usage: USAGE,
      options: { host: { type: 'string' }, port: { type: 'string' }, tcp: { type: 'boolean' }, rate: { type: 'string' }, 'mode-period': { type: 'string' } },
      async start(values) {
        const tcp = values.tcp === true;
        const port = integerOption(values, 'port', tcp ? 5760 : 14550, tcp ? 0 : 1, 65535);
        if (typeof port === 'string') return port;
        const rateHz = values.rate === undefined ? 10 : Number(values.rate);
        if (!(Number.isFinite(rateHz) && rateHz > 0 && rateHz <= 1000)) return `--rate ${String(values.rate)}: ticks per second, above 0 and at most 1000`;
        let modePeriodMs: number | undefined;
        if (values['mode-period'] !== undefined) {
          const raw = String(values['mode-period']);
          const parsed = durationMs({ minMs: 100, maxMs: 86_400_000 }).safeParse(/^\d+$/.test(raw) ? Number(raw) : raw);
          if (!parsed.success) return `--mode-period ${raw}: ${parsed.error.issues[0]?.message ?? 'a duration such as 30s'}`;
          modePeriodMs = parsed.data;
        }
        const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
        const sim = await startMavlinkSimulator({ transport: tcp ? 'tcp' : 'udp', host, port, rateHz, ...(modePeriodMs === undefined ? {} : { modePeriodMs }) });
        return {
          url: sim.target,
          describe: `systems 1 (copter) and 2 (plane) ${tcp ? `streaming to TCP clients of ${sim.target}` : `sending to ${host}:${port}`} at ${rateHz} Hz`,
          close: async () => {
            await sim.close();
            return `sent ${sim.sent()} frames`;
          },
        };
      },
    },
    argv,
  );
}
