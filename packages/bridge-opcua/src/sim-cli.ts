import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import type { OpcuaLogger } from './log-redirect.js';
import { SIM_NAMESPACE } from './server.js';
import { startOpcuaSimulator } from './simulator.js';

const USAGE = `Usage: bridge-opcua-sim [--host 127.0.0.1] [--port 4840] [--pki DIR] [--interval-ms 1000] [--alarm-period-ms 60000]

An OPC UA server with moving values, the peer examples/opcua/map.yaml reads: a boiler whose
temperature raises an alarm once per alarm period, a line of motors, a variable of every scalar
type and arrays, in namespace ${SIM_NAMESPACE}. Offers security None, Sign and SignAndEncrypt,
accepts any client certificate, and logs in anonymous users and user "operator" with the password
in $OPCUA_SIM_PASSWORD (default "operator"). Prints its endpoint URL on stdout and runs until
SIGINT or SIGTERM. --port 0 picks a free port. The server's certificate is kept in --pki (default:
a folder in the system's temporary directory), so clients that trusted it keep trusting it.
`;

const stderrLogger: OpcuaLogger = {
  debug() {},
  info() {},
  warn: (_obj, msg) => process.stderr.write(`bridge-opcua-sim: ${msg ?? ''}\n`),
  error: (_obj, msg) => process.stderr.write(`bridge-opcua-sim: ${msg ?? ''}\n`),
};

/** The `bridge-opcua-sim` command. Resolves with the exit code once stopped by a signal. */
export function main(argv: string[]): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-opcua-sim',
      usage: USAGE,
      options: { host: { type: 'string' }, port: { type: 'string' }, pki: { type: 'string' }, 'interval-ms': { type: 'string' }, 'alarm-period-ms': { type: 'string' } },
      async start(values) {
        const port = integerOption(values, 'port', 4840, 0, 65535);
        if (typeof port === 'string') return port;
        const intervalMs = integerOption(values, 'interval-ms', 1000, 10, 3_600_000);
        if (typeof intervalMs === 'string') return intervalMs;
        const alarmPeriodMs = integerOption(values, 'alarm-period-ms', 60_000, 1000, 86_400_000);
        if (typeof alarmPeriodMs === 'string') return alarmPeriodMs;
        const sim = await startOpcuaSimulator({
          port,
          intervalMs,
          alarmPeriodMs,
          ...(typeof values.host === 'string' ? { host: values.host } : {}),
          pkiDir: typeof values.pki === 'string' ? values.pki : join(tmpdir(), 'fieldbridge-opcua-sim-pki'),
          users: { operator: process.env.OPCUA_SIM_PASSWORD ?? 'operator' },
          logger: stderrLogger,
        });
        return {
          url: sim.endpointUrl,
          describe: `listening on ${sim.endpointUrl} (namespace ${SIM_NAMESPACE} at index ${sim.namespaceIndex}, certificate ${sim.thumbprint})`,
          close: () => sim.stop(),
        };
      },
    },
    argv,
  );
}
