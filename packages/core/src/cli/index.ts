export { runBridgeCli } from './run-bridge-cli.js';
export type { CliIo, CliOptions } from './parse-args.js';
export { runSimulatorCli, integerOption, type SimulatorCli, type RunningSimulator } from './simulator-cli.js';
export { loadForCommand, commandLogger, serveMapping, failed, sectionWarning, unsetVariableWarning, type ServeMappingOptions } from './run-mapping.js';
export type { MappingRead } from './mapping-read.js';
export { checkRunOptions, type RunOptions } from './run-options.js';
export { formatCheck } from './print-check.js';
export { writeSchemaFile } from './write-schema.js';
export { holdHangups, type HangupHold } from './hangup-hold.js';
