import { runBridgeCli } from '@fieldbridge/core/cli';
import { bleBridge } from './bridge.js';

/**
 * The `bridge-ble` command: `--config FILE` runs, `--check`, `--dry-run`, `--once`,
 * `--record FILE`. Resolves with the exit code (0 clean, 1 runtime failure such as no Bluetooth
 * adapter, 2 usage or configuration error).
 */
export function main(argv: string[]): Promise<number> {
  return runBridgeCli(bleBridge, argv);
}
