import { runBridgeCli } from '@fieldbridge/core/cli';
import { modbusBridge } from './bridge.js';

/**
 * The `bridge-modbus` command: `--config FILE` runs, `--check`, `--dry-run`, `--once`,
 * `--probe RANGE [--device NAME]`. Resolves with the exit code (0 clean, 1 runtime failure,
 * 2 usage or configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(modbusBridge, argv);
}
