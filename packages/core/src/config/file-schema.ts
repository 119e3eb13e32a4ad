import { z } from 'zod';
import { commonShape, type CommonConfig } from './common-schema.js';

/**
 * What the mapping loader needs of a bridge: the key of its YAML section and that section's
 * schema. A `BridgeDefinition` is one; the loader asks no more of it, so `config/` stays below
 * the runtime.
 */
export interface SectionDefinition<S extends z.ZodType = z.ZodType, N extends string = string> {
  name: N;
  configSchema: S;
  /** Cross-field checks run after the schema passed; paths are relative to the section. */
  check?(config: z.output<S>): SectionIssue[];
}

/** A problem a section's `check` found, `path` relative to the section. */
export interface SectionIssue {
  path: (string | number)[];
  message: string;
}

/** A whole validated mapping file: the common keys plus the bridge's own section. */
export type FileConfig<D extends SectionDefinition = SectionDefinition> = CommonConfig & Record<D['name'], z.output<D['configSchema']>>;

/** The strict schema of a whole mapping file for one bridge. */
export function bridgeFileSchema(definition: SectionDefinition): z.ZodType {
  return z.strictObject({ ...commonShape, [definition.name]: definition.configSchema });
}

/**
 * The JSON Schema (draft 2020-12) of a bridge's mapping file, for editors (the YAML language
 * server reads it from a `# yaml-language-server: $schema=…` comment). Describes the input
 * side: sizes and durations accept their string forms.
 */
export function generateJsonSchema(definition: SectionDefinition): Record<string, unknown> {
  const schema = z.toJSONSchema(bridgeFileSchema(definition), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: `bridge-${definition.name} mapping file` };
}

/** The text of a bridge's `schema.json`: its JSON Schema, pretty-printed, ending in a newline. */
export function schemaFileText(definition: SectionDefinition): string {
  return `${JSON.stringify(generateJsonSchema(definition), null, 2)}\n`;
}
