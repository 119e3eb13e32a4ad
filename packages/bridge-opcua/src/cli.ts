import { runBridgeCli } from '@fieldbridge/core/cli';
import { opcuaBridge } from './bridge.js';

/**
 * The `bridge-opcua` command: `--config FILE` runs, `--check`, `--dry-run`, `--once`,
 * `--browse [node] [--emit-mapping] [--depth N] [--limit N]`. Resolves with the exit code (0 clean,
 * 1 runtime failure, 2 usage or configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(opcuaBridge, argv);
}
