import type { MultiFileConfig } from '../config/file-schema.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/**
 * A mapping file as a command reads it: its configuration, and the bridges of the sections it
 * may hold (those present run). A reload reads both again: a file may gain or lose sections.
 */
export interface MappingRead {
  config: MultiFileConfig;
  definitions: readonly BridgeDefinition[];
}
