import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaFileText } from '../config/file-schema.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/**
 * Writes the JSON Schema of a mapping file for `definition` (common keys and its section) to
 * `file`, the bridge package's `schema.json`, and says so on `stderr`: what a bridge's
 * `pnpm schema` script runs (docs/BRIDGE.md §1). `expectSchemaInSync` checks the same text.
 * Throws when the file cannot be written; a failed write may leave it truncated.
 */
export function writeSchemaFile(definition: BridgeDefinition, file: URL | string, stderr: NodeJS.WritableStream = process.stderr): void {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  writeFileSync(path, schemaFileText(definition));
  stderr.write(`wrote ${path}\n`);
}
