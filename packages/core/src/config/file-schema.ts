import { z } from 'zod';
import { commonShape, type CommonConfig } from './common-schema.js';
import { POINT_LIMITS } from '../point/point.js';
import { alertTagIssues } from './rules-schema.js';

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
  /** The tags the section's points carry, as far as the mapping says (see {@link PointTagSet}). */
  pointTags?(config: z.output<S>): PointTagSet[];
  /**
   * What other tools' configurations call keys of this section, by ours (Telegraf's `slave_id`
   * for `unit_id`): an unknown key so named, in snake_case or not, is answered with ours where
   * ours is allowed, since no spelling rule leads from one to the other.
   */
  otherNames?: Readonly<Record<string, string>>;
}

/**
 * Tags some points of a section carry, as the mapping makes them known before anything runs: the
 * mapping loader counts them with the file's `tags:` and those the runtime adds (`bridge` and
 * `channel` in a file of several sections), and refuses the file where points would carry more
 * than a point may have (16), since the sink would refuse every one of them.
 */
export interface PointTagSet {
  /**
   * Where the mapping gives these points their tags, relative to the section: the entry's `tags`
   * key (`['devices', 0, 'tags']`), where the refusal is said when they count.
   */
  path: (string | number)[];
  /** Keys of the tags the mapping gives these points: the entry's own and those it inherits (a device's, for its points). */
  tags: readonly string[];
  /** Keys of the tags the bridge adds to them itself (`device`, `unit` when the entry sets one), the most any of them may carry. */
  added?: readonly string[];
}

/** A problem a section's `check` found, `path` relative to the section. */
export interface SectionIssue {
  path: (string | number)[];
  message: string;
  /**
   * The issue stops a run but not a look at the source: a bridge command given one of its
   * inspecting options (`--browse`, `--probe`, `--list-signals`) goes on. For what a mapping
   * cannot have until that look was taken (the nodes to monitor, a device's points), never for
   * what connecting needs.
   */
  runOnly?: boolean;
  /**
   * The issue is about the key itself (an unknown name written as a key, `GLOBAL_POSITON_INT:`):
   * placed at the key, not at its value.
   */
  atKey?: boolean;
  /**
   * Not an error: the value is valid but most likely a mistake (`address: 40001`, a Modicon
   * register number where a protocol address is asked). Nothing is refused; `--check`,
   * `fieldbridge check` and a run's start print it on stderr, located like an error, as
   * `file:line:col key: warning: message`. Say in the message when it is right to keep it.
   */
  warning?: boolean;
}

/** A whole validated mapping file: the common keys plus the bridge's own section. */
export type FileConfig<D extends SectionDefinition = SectionDefinition> = CommonConfig & Record<D['name'], z.output<D['configSchema']>>;

/**
 * A mapping file that may hold several bridges' sections (`modbus:` and `mqtt:` side by side,
 * run by `fieldbridge run` in one process with one sink): the common keys plus each section present.
 */
export type MultiFileConfig = CommonConfig & Partial<Record<string, unknown>>;

/** One bridge, or the bridges a file may hold. */
export type Sections = SectionDefinition | readonly SectionDefinition[];

/** The definitions `sections` names, as a list. */
export function sectionList(sections: Sections): readonly SectionDefinition[] {
  return Array.isArray(sections) ? sections : [sections as SectionDefinition];
}

/**
 * The strict schema of a whole mapping file. For one bridge its section is required; for a list,
 * each section is optional and at least one must be present.
 */
export function bridgeFileSchema(sections: Sections): z.ZodType {
  if (!Array.isArray(sections)) {
    const definition = sections as SectionDefinition;
    return z.strictObject({ ...commonShape, [definition.name]: definition.configSchema }).superRefine(checkCommon);
  }
  const list = sections as readonly SectionDefinition[];
  const names = list.map((d) => d.name);
  return z.strictObject({ ...commonShape, ...Object.fromEntries(list.map((d) => [d.name, d.configSchema.optional()])) }).superRefine((file, ctx) => {
    checkCommon(file, ctx);
    const present = names.filter((name) => (file as Record<string, unknown>)[name] !== undefined).length;
    // A file of several sections tags every point of its bridges with `bridge` and `channel`.
    const fileTags = Object.keys((file as CommonConfig).tags ?? {}).length;
    if (present > 1 && fileTags > POINT_LIMITS.maxTags - 2) {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: `at most ${POINT_LIMITS.maxTags - 2} tags in a file of several bridge sections (it has ${fileTags}): every point also carries bridge and channel, and a point may carry at most ${POINT_LIMITS.maxTags}` });
    }
    if (present > 0) return;
    ctx.addIssue({ code: 'custom', path: [], message: `the file has no bridge section: add one of ${names.join(', ')}` });
  });
}

/** Checks across the common keys: the file's `tags:` leave room for every rule's event tags. */
function checkCommon(file: CommonConfig, ctx: z.RefinementCtx): void {
  for (const issue of alertTagIssues(file.tags, file.rules)) ctx.addIssue({ code: 'custom', ...issue });
}

/** The sections of `sections` that `config` holds, in the order given. */
export function presentSections<D extends SectionDefinition>(sections: readonly D[], config: MultiFileConfig): D[] {
  return sections.filter((d) => config[d.name] !== undefined);
}

/**
 * The JSON Schema (draft 2020-12) of a mapping file, for editors (the YAML language server
 * reads it from a `# yaml-language-server: $schema=…` comment). Describes the input side: sizes
 * and durations accept their string forms. For a list of bridges, the file may hold any of their
 * sections (as `fieldbridge run` reads it).
 */
export function generateJsonSchema(sections: Sections): Record<string, unknown> {
  const list = sectionList(sections);
  // The "at least one section" rule is not representable; editors get the sections as optional.
  const schema = Array.isArray(sections)
    ? z.toJSONSchema(z.strictObject({ ...commonShape, ...Object.fromEntries(list.map((d) => [d.name, d.configSchema.optional()])) }), { io: 'input', unrepresentable: 'any' })
    : z.toJSONSchema(bridgeFileSchema(sections), { io: 'input', unrepresentable: 'any' });
  const title = Array.isArray(sections) ? `fieldbridge mapping file (${list.map((d) => d.name).join(', ')})` : `bridge-${list[0]?.name} mapping file`;
  return { ...(schema as Record<string, unknown>), title };
}

/** The text of a `schema.json`: its JSON Schema, pretty-printed, ending in a newline. */
export function schemaFileText(sections: Sections): string {
  return `${JSON.stringify(generateJsonSchema(sections), null, 2)}\n`;
}
