import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { startMqttSimulator } from './simulator.js';

const USAGE = `Usage: bridge-mqtt-sim [--url mqtt://127.0.0.1:1883] [--interval-ms 1000]

Publishes what a small plant sends to its broker, the traffic examples/mqtt/map.yaml maps:
JSON temperatures and environment readings, bare counters, and a Sparkplug B edge node
(group plant-a, node edge1, device robot1). Runs until SIGINT or SIGTERM, then publishes
the node's NDEATH.
`;

/** The `bridge-mqtt-sim` command. Resolves with the exit code once stopped by a signal. */
export async function main(argv: string[]): Promise<number> {
  let values: { url?: string | undefined; 'interval-ms'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { url: { type: 'string' }, 'interval-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const intervalMs = values['interval-ms'] === undefined ? 1000 : Number(values['interval-ms']);
  if (!Number.isInteger(intervalMs) || intervalMs < 10) {
    process.stderr.write(`--interval-ms ${values['interval-ms']}: give a whole number of ms, at least 10\n`);
    return 2;
  }
  const url = values.url ?? 'mqtt://127.0.0.1:1883';
  let sim;
  try {
    sim = await startMqttSimulator({ url, intervalMs });
  } catch (err) {
    process.stderr.write(`bridge-mqtt-sim: cannot publish to ${url}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`bridge-mqtt-sim publishing to ${url} every ${intervalMs} ms (Ctrl-C stops)\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await sim.close();
  process.stderr.write(`bridge-mqtt-sim: published ${sim.published()} messages\n`);
  return 0;
}
