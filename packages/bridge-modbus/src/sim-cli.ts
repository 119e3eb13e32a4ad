import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { startModbusSimulator } from './simulator.js';

const USAGE = `Usage: bridge-modbus-sim [--host 127.0.0.1] [--port 5020]

A Modbus TCP server with moving values, the peer examples/modbus/map.yaml reads.
Prints its URL (tcp://host:port) on stdout and runs until SIGINT or SIGTERM.
--port 0 picks a free port.
`;

/** The `bridge-modbus-sim` command. Resolves with the exit code once stopped by a signal. */
export async function main(argv: string[]): Promise<number> {
  let values: { host?: string | undefined; port?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 5020 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port ${values.port}: not a TCP port\n`);
    return 2;
  }
  const sim = await startModbusSimulator({ port, ...(values.host ? { host: values.host } : {}) });
  process.stdout.write(`${sim.url}\n`);
  process.stderr.write(`modbus simulator listening on ${sim.url} (every unit id; registers >= 1000 answer ILLEGAL DATA ADDRESS)\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sim.close();
  return 0;
}
