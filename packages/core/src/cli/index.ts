export { runBridgeCli } from './run-bridge-cli.js';
export type { CliIo, CliOptions } from './parse-args.js';
