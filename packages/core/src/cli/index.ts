export { runBridgeCli } from './run-bridge-cli.js';
export type { CliIo, CliOptions } from './parse-args.js';
export { runSimulatorCli, integerOption, type SimulatorCli, type RunningSimulator } from './simulator-cli.js';
