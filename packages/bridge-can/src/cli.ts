import { runBridgeCli } from '@fieldbridge/core/cli';
import { canBridge } from './bridge.js';

/**
 * The `bridge-can` command: `--config FILE` runs, `--check`, `--dry-run`, `--once`,
 * `--list-signals`. Resolves with the exit code (0 clean, 1 runtime failure, 2 usage or
 * configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(canBridge, argv);
}
