import { runBridgeCli } from '@fieldbridge/core/cli';
import { mqttBridge } from './bridge.js';

/**
 * The `bridge-mqtt` command: `--config FILE` runs, `--check`, `--dry-run`, `--once` (until
 * every subscription delivered a message, at most `--once-timeout`). Resolves with the exit
 * code (0 clean, 1 runtime failure, 2 usage or configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(mqttBridge, argv);
}
