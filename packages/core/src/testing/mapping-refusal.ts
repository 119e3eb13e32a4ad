import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { loadMapping } from '../config/load-mapping.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/** How a mapping file was refused: the message printed by the command, and each located issue. */
export interface MappingRefusal {
  message: string;
  issues: ConfigIssue[];
}

/**
 * Loads `file` for `definition` expecting it to be refused, and returns how. Throws when the
 * file is accepted, or fails for another reason than `CONFIG_INVALID`.
 */
export function mappingRefusal(file: string, definition: BridgeDefinition, env: NodeJS.ProcessEnv = {}): MappingRefusal {
  try {
    loadMapping(file, definition, env);
  } catch (err) {
    if (err instanceof ConfigError) return { message: err.message, issues: err.issues };
    throw err;
  }
  throw new Error(`${file} was accepted, but a refusal was expected`);
}
