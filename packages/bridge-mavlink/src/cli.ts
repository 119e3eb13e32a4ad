import { runBridgeCli } from '@fieldbridge/core/cli';
import { mavlinkBridge } from './bridge.js';

/**
 * The `bridge-mavlink` command: `--config FILE` runs, `--check`, `--dry-run`, `--once`,
 * `--list-messages [NAME]`. Resolves with the exit code (0 clean, 1 runtime failure, 2 usage
 * or configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(mavlinkBridge, argv);
}
