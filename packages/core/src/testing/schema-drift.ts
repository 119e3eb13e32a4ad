import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { schemaFileText } from '../config/file-schema.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/**
 * Asserts that the committed JSON Schema file of a bridge (`schema.json`, written by the
 * package's `pnpm schema`) matches what the code generates now, so editors never complete keys
 * the bridge refuses. The failure says how to fix it.
 */
export function expectSchemaInSync(definition: BridgeDefinition, file: URL): void {
  let committed: string;
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file.pathname} is missing: run \`pnpm schema\` in the bridge's package`);
  }
  expect(committed, `${file.pathname} drifted from the config schema: run \`pnpm schema\` in the bridge's package`).toBe(schemaFileText(definition));
}
