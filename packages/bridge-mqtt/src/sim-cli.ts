import { integerOption, runSimulatorCli } from '@fieldbridge/core/cli';
import { startMqttSimulator } from './simulator.js';

const USAGE = `Usage: bridge-mqtt-sim [--url mqtt://127.0.0.1:1883] [--interval-ms 1000]

Publishes what a small plant sends to its broker, the traffic examples/mqtt/map.yaml maps:
JSON temperatures and environment readings, bare counters, and a Sparkplug B edge node
(group plant-a, node edge1, device robot1). Runs until SIGINT or SIGTERM, then publishes
the node's NDEATH.
`;

/** The `bridge-mqtt-sim` command. Resolves with the exit code once stopped by a signal. */
export function main(argv: string[]): Promise<number> {
  return runSimulatorCli(
    {
      name: 'bridge-mqtt-sim',
      usage: USAGE,
      options: { url: { type: 'string' }, 'interval-ms': { type: 'string' } },
      async start(values) {
        const intervalMs = integerOption(values, 'interval-ms', 1000, 10, 3_600_000);
        if (typeof intervalMs === 'string') return intervalMs;
        const url = typeof values.url === 'string' ? values.url : 'mqtt://127.0.0.1:1883';
        const sim = await startMqttSimulator({ url, intervalMs }).catch((err: unknown) => {
          throw new Error(`cannot publish to ${url}: ${(err as Error).message}`, { cause: err });
        });
        return {
          describe: `publishing to ${url} every ${intervalMs} ms`,
          async close() {
            await sim.close();
            return `published ${sim.published()} messages`;
          },
        };
      },
    },
    argv,
  );
}
