import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import { SIMULATOR_ILLEGAL_FROM, startModbusSimulator } from './simulator.js';

const USAGE = `Usage: bridge-modbus-sim [--host 127.0.0.1] [--port 5020]

A Modbus TCP server with moving values, the peer examples/modbus/map.yaml reads.
Prints its URL (tcp://host:port) on stdout and runs until SIGINT or SIGTERM.
--port 0 picks a free port.
`;

/** The `bridge-modbus-sim` command. Resolves with the exit code once stopped by a signal. */
export function main(argv: string[]): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-modbus-sim',
      usage: USAGE,
      options: { host: { type: 'string' }, port: { type: 'string' } },
      async start(values) {
        const port = integerOption(values, 'port', 5020, 0, 65535);
        if (typeof port === 'string') return port;
        const sim = await startModbusSimulator({ port, ...(typeof values.host === 'string' ? { host: values.host } : {}) });
        return { url: sim.url, describe: `listening on ${sim.url} (every unit id; registers >= ${SIMULATOR_ILLEGAL_FROM} answer ILLEGAL DATA ADDRESS)`, close: sim.close };
      },
    },
    argv,
  );
}
