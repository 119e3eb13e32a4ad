import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OpcuaLogger } from './log-redirect.js';
import { SIM_NAMESPACE } from './server.js';
import { startOpcuaSimulator } from './simulator.js';

const USAGE = `Usage: bridge-opcua-sim [--host 127.0.0.1] [--port 4840] [--pki DIR] [--interval-ms 1000]

An OPC UA server with moving values for demos and for trying the OPC UA bridge: a boiler whose
temperature raises an alarm once a minute, a line of motors, a variable of every scalar type
and arrays, in namespace ${SIM_NAMESPACE}. Offers security None, Sign and SignAndEncrypt and
accepts any client certificate. Prints its endpoint URL on stdout and runs until SIGINT or
SIGTERM. --port 0 picks a free port. The server's certificate is kept in --pki (default: a
folder in the system's temporary directory), so clients that trusted it keep trusting it.
`;

const stderrLogger: OpcuaLogger = {
  debug() {},
  info() {},
  warn: (_obj, msg) => process.stderr.write(`opcua-sim: ${msg ?? ''}\n`),
  error: (_obj, msg) => process.stderr.write(`opcua-sim: ${msg ?? ''}\n`),
};

/** The `bridge-opcua-sim` command. Resolves with the exit code once stopped by a signal. */
export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, pki: { type: 'string' }, 'interval-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 4840 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port ${String(values.port)}: not a TCP port\n`);
    return 2;
  }
  const intervalMs = values['interval-ms'] === undefined ? 1000 : Number(values['interval-ms']);
  if (!(intervalMs >= 10 && intervalMs <= 3_600_000)) {
    process.stderr.write(`--interval-ms ${String(values['interval-ms'])}: give 10 to 3600000\n`);
    return 2;
  }
  const sim = await startOpcuaSimulator({
    port,
    intervalMs,
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    pkiDir: typeof values.pki === 'string' ? values.pki : join(tmpdir(), 'fieldbridge-opcua-sim-pki'),
    logger: stderrLogger,
  });
  process.stdout.write(`${sim.endpointUrl}\n`);
  process.stderr.write(`opcua simulator listening on ${sim.endpointUrl} (namespace ${SIM_NAMESPACE} at index ${sim.namespaceIndex}, certificate ${sim.thumbprint})\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sim.stop();
  return 0;
}
