import { closeSync, openSync, readSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { FieldbridgeError } from '../errors.js';
import { sectionList, type MultiFileConfig, type SectionDefinition, type Sections } from './file-schema.js';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { EnvReferenceError, substituteEnv } from './env-substitute.js';
import { bridgeFileSchema, type FileConfig } from './file-schema.js';
import { commonShape } from './common-schema.js';
import { closestKey, keysAt } from './key-suggest.js';
import { missingFileHint } from './missing-file-hint.js';
import { pointTagIssues } from './point-tag-room.js';
import { spoolPathProblem } from './spool-path-problem.js';
import { issueWords } from './_issue-words.js';
import { explainSyntaxError } from './yaml-syntax-hints.js';
import { yamlMisreadings } from './yaml-misreadings.js';
import { dashlessItems } from './dashless-items.js';
import { unknownTopLevelWords, type TopLevelKnown } from './unknown-section.js';

/** How a mapping file is read. */
export interface MappingReadOptions {
  /**
   * The file is read to look at the source (a bridge's `--browse`, `--probe`, `--list-signals`),
   * not to run: issues a bridge's check marks `runOnly` (no nodes to monitor yet) are not errors.
   */
  inspecting?: boolean;
  /**
   * Hears each `${VAR}` that reads as empty because the variable is not set, where it stands
   * (the issue's message is empty): a command warns, since an unset password or key would
   * otherwise only show as a refusal at run time.
   */
  onUnsetVariable?: (variable: string, where: ConfigIssue) => void;
  /**
   * Hears each warning a bridge's `check` gives a file that is otherwise valid (`SectionIssue`'s
   * `warning`), located like an error. Without it warnings are not said.
   */
  onWarning?: (where: ConfigIssue) => void;
  /**
   * Names of bridge sections the command knows beyond those it reads (`fieldbridge run`'s catalog
   * and the bridges installed): an unknown top-level key spelled close to one (`modbuss:`) is
   * said to be it, in "did you mean".
   */
  knownSections?: readonly string[];
}

/**
 * Parses and validates a mapping file's text for `definition` (its section required), or for a
 * list of definitions (any of their sections, at least one: a file `fieldbridge run` reads). Environment references are
 * expanded inside values; a plain (unquoted) value that was only a reference is read again as
 * YAML, so `port: ${PORT}` gives a number. Relative paths (the spool, the dead-letter file, TLS
 * files of a bridge) are left as written: they are read from the working directory.
 * Throws {@link ConfigError} listing every problem as `file:line:col key: message`.
 */
export function parseMapping<D extends SectionDefinition>(text: string, file: string, definition: D, env?: NodeJS.ProcessEnv, options?: MappingReadOptions): FileConfig<D>;
export function parseMapping(text: string, file: string, definitions: readonly SectionDefinition[], env?: NodeJS.ProcessEnv, options?: MappingReadOptions): MultiFileConfig;
export function parseMapping(text: string, file: string, sections: Sections, env: NodeJS.ProcessEnv = process.env, options: MappingReadOptions = {}): MultiFileConfig {
  const lineCounter = new LineCounter();
  if (text.length > MAX_MAPPING_BYTES) throw new ConfigError([{ file, line: 1, col: 1, path: '', message: `the mapping file is larger than ${MAX_MAPPING_BYTES / 1024} KiB; is it the right file?` }]);
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const at = (offset: number | undefined, path: string, message: string): ConfigIssue => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col, path, message };
  };
  // `-name: a` (a list item without the space after its dash) makes the parser's or the schema's complaint an echo of it.
  const dashless = (): ConfigIssue[] => dashlessItems(text).map((hint) => at(hint.offset, '', hint.message));
  // After a syntax error the parser's later complaints are echoes of it: report the first.
  const issues: ConfigIssue[] = doc.errors.length === 0 ? [] : dashless();
  if (issues.length === 0) issues.push(...doc.errors.slice(0, 1).map((e) => explainSyntaxError(e, text)).map((hint) => at(hint.offset, '', hint.message)));
  // Text read without an error but not as written (a Windows path's \n in double quotes).
  if (issues.length === 0) issues.push(...yamlMisreadings(doc, text, doc.warnings).map((hint) => at(hint.offset, '', hint.message)));
  if (issues.length === 0) issues.push(...expandEnv(doc, env, at, options.onUnsetVariable));
  if (issues.length > 0) throw new ConfigError(issues);

  // An empty file, or one of comments only: "source_id: required key is missing" would say too little.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const names = sectionList(sections).map((d) => d.name);
    const init = names.length === 1 ? `fieldbridge init ${names[0]}` : `fieldbridge init <bridge> (${names.join(', ')})`;
    throw new ConfigError([at(0, '', `the file holds no mapping (it is empty, or only comments): write source_id, sink and a bridge section; \`${init}\` writes a commented starter`)]);
  }
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) ?? {};
  } catch (err) {
    // yaml refuses an alias expansion past the limit (a "billion laughs" file).
    throw new ConfigError([at(0, '', `the file expands YAML aliases (*name) more than ${MAX_ALIAS_EXPANSIONS} times: ${(err as Error).message.split('\n')[0]}`)]);
  }
  // Another bridge's section in a file read for one bridge (`bridge-modbus` on a file that
  // `fieldbridge run` runs whole): set aside for a look at the source (`--probe`), said plainly otherwise.
  const single = Array.isArray(sections) ? undefined : (sections as SectionDefinition);
  const foreign = single === undefined ? new Set<string>() : foreignSections(plain, single);
  if (options.inspecting) for (const key of foreign) delete (plain as Record<string, unknown>)[key];
  const schema = bridgeFileSchema(sections);
  const result = schema.safeParse(plain);
  if (!result.success) {
    const dashed = dashless();
    if (dashed.length > 0) throw new ConfigError(dashed);
    // A section valid on its own is checked too, so one pass names every problem of the file.
    const issues = [...result.error.issues];
    for (const definition of sectionList(sections)) {
      const raw = plain !== null && typeof plain === 'object' ? (plain as Record<string, unknown>)[definition.name] : undefined;
      const own = raw === undefined ? undefined : definition.configSchema.safeParse(raw);
      if (own?.success) issues.push(...checkSection(definition, own.data, options).filter((i) => !isWarning(i)));
    }
    const top = {
      others: options.knownSections ?? [],
      foreign: (key: string) => (foreign.has(key) ? ` (another bridge's section? this command reads ${single!.name}: only; \`fieldbridge run\` runs a file of several bridges, and a look at the source such as --probe or --browse sets the others aside)` : undefined),
    };
    const otherNames = (path: readonly (string | number)[]) => sectionList(sections).find((d) => d.name === path[0])?.otherNames;
    throw new ConfigError(locateIssues(text, doc, issues, at, schema, top, otherNames));
  }
  const config = result.data as MultiFileConfig;
  const found = sectionList(sections).flatMap((definition) => (config[definition.name] === undefined ? [] : checkSection(definition, config[definition.name], options)));
  const checked = found.filter((i) => !isWarning(i));
  if (checked.length > 0) throw new ConfigError(locateIssues(text, doc, checked, at, schema));
  // Counted once each section is right; a look at the source (`--probe`) sends nothing, so goes on.
  const crowded = options.inspecting ? [] : pointTagIssues(config, sectionList(sections));
  if (crowded.length > 0) throw new ConfigError(locateIssues(text, doc, crowded.map((i) => ({ code: 'custom', ...i }) as z.core.$ZodIssue), at, schema));
  // A spool the run could not write would pass here and fail at every start (a supervisor restarting it forever).
  const spool = options.inspecting || config.sink.buffer?.path === undefined ? undefined : spoolPathProblem(config.sink.buffer.path);
  if (spool !== undefined) throw new ConfigError(locateIssues(text, doc, [{ code: 'custom', path: ['sink', 'buffer', 'path'], message: spool } as z.core.$ZodIssue], at, schema));
  // Said only of a file that is otherwise right: a refused file's errors come first.
  if (options.onWarning) for (const warning of locateIssues(text, doc, found.filter(isWarning), at, schema)) options.onWarning(warning);
  return config;
}

const isWarning = (issue: z.core.$ZodIssue): boolean => issue.code === 'custom' && issue.params?.warning === true;

/**
 * Top-level keys of `plain` that are neither a common key nor `definition`'s section, and hold a
 * mapping: sections of other bridges (`x-` keys, YAML's convention for anchors' holders, are not).
 */
function foreignSections(plain: unknown, definition: SectionDefinition): Set<string> {
  const out = new Set<string>();
  if (plain === null || typeof plain !== 'object') return out;
  for (const [key, value] of Object.entries(plain)) {
    if (key === definition.name || key in commonShape || key.startsWith('x-')) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.add(key);
  }
  return out;
}

/** The issues a bridge's `check` finds in its valid section, as the loader locates them (run-only ones left out when inspecting). */
function checkSection(definition: SectionDefinition, section: unknown, options: MappingReadOptions): z.core.$ZodIssue[] {
  if (!definition.check) return [];
  return definition
    .check(section as never)
    .filter((i) => !(i.runOnly && options.inspecting))
    .map((i) => ({ code: 'custom', path: [definition.name, ...i.path], message: i.message, ...(i.atKey || i.warning ? { params: { ...(i.atKey ? { atKey: true } : {}), ...(i.warning ? { warning: true } : {}) } } : {}) }) as z.core.$ZodIssue);
}

/** The largest mapping file read, in bytes. */
export const MAX_MAPPING_BYTES = 1024 * 1024;
/** Alias uses allowed, counted as expanded (a file using an anchor a few hundred times is fine; a bomb is not). */
export const MAX_ALIAS_EXPANSIONS = 10_000;

/**
 * Reads `file` (at most {@link MAX_MAPPING_BYTES}; `/dev/zero` or a log file given by mistake is
 * refused, not read to the end) and {@link parseMapping}s it. A missing file throws `CONFIG_NOT_FOUND`.
 */
export function loadMapping<D extends SectionDefinition>(file: string, definition: D, env?: NodeJS.ProcessEnv, options?: MappingReadOptions): FileConfig<D>;
export function loadMapping(file: string, definitions: readonly SectionDefinition[], env?: NodeJS.ProcessEnv, options?: MappingReadOptions): MultiFileConfig;
export function loadMapping(file: string, sections: Sections, env: NodeJS.ProcessEnv = process.env, options: MappingReadOptions = {}): MultiFileConfig {
  return parseMapping(readMappingText(file), file, sections as readonly SectionDefinition[], env, options);
}

/**
 * The text of mapping file `file` (at most {@link MAX_MAPPING_BYTES}). A missing or unreadable
 * file throws `CONFIG_NOT_FOUND`.
 */
export function readMappingText(file: string): string {
  let text: string;
  try {
    text = readBounded(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FieldbridgeError('CONFIG_NOT_FOUND', `${file}: cannot read the mapping file (${code ?? err})${code === 'ENOENT' ? missingFileHint(file) : ''}`, { cause: err });
  }
  return text;
}

/** The file's text, reading at most one byte past the limit (so an endless file ends). */
function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_MAPPING_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

type At = (offset: number | undefined, path: string, message: string) => ConfigIssue;

function expandEnv(doc: Document, env: NodeJS.ProcessEnv, at: At, onUnset?: MappingReadOptions['onUnsetVariable']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      try {
        const unset = onUnset && ((variable: string) => onUnset(variable, at(node.range?.[0], keyPathOf(path, node), '')));
        const expanded = substituteEnv(original, env, unset);
        node.value = node.type === 'PLAIN' && /^\$\{[^}]*\}$/.test(original.trim()) ? reread(expanded) : expanded;
      } catch (err) {
        if (!(err instanceof EnvReferenceError)) throw err;
        issues.push(at(node.range?.[0], keyPathOf(path, node), err.message));
      }
    },
  });
  return issues;
}

function reread(text: string): unknown {
  const value = parseDocument(text).toJS() as unknown;
  return typeof value === 'number' || typeof value === 'boolean' ? value : text;
}

/** The key path of `node` from `visit`'s ancestors: a pair's key, and an item's index in a list (`devices[0]`), as the schema's issues say it. */
function keyPathOf(path: readonly unknown[], node: unknown): string {
  const keys: PropertyKey[] = [];
  path.forEach((step, i) => {
    if (isSeq(step)) {
      const index = step.items.indexOf((path[i + 1] ?? node) as never);
      if (index >= 0) keys.push(index);
      return;
    }
    const key = (step as { key?: unknown }).key;
    if (isScalar(key)) keys.push(String(key.value));
  });
  return formatPath(keys);
}

function locateIssues(
  text: string,
  doc: Document,
  zodIssues: readonly z.core.$ZodIssue[],
  at: At,
  schema: z.ZodType,
  top: Pick<TopLevelKnown, 'others' | 'foreign'> = { others: [] },
  otherNames: (path: readonly (string | number)[]) => Readonly<Record<string, string>> | undefined = () => undefined,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of unfoldUnions(zodIssues)) {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const parent = doc.getIn(path, true) as Node | undefined;
      const written = new Set(isMap(parent) ? parent.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : []);
      const known = keysAt(schema, path).filter((k) => !written.has(k));
      for (const key of issue.keys) {
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
        const offset = (pair?.key as Node | undefined)?.range?.[0] ?? parent?.range?.[0];
        const hint = path.length === 0 ? unknownTopLevelWords(key, { ...top, allowed: keysAt(schema, []), written }) : suggest(key, known, otherNames(path));
        out.push(at(offset, formatPath([...path, key]), `unknown key${hint}`));
      }
      continue;
    }
    const keyNode = issue.code === 'custom' && issue.params?.atKey === true ? keyAt(doc, path) : undefined;
    if (keyNode?.range) {
      out.push(at(keyNode.range[0], formatPath(path), issue.message));
      continue;
    }
    const node = doc.getIn(path, true) as Node | undefined;
    if (node?.range) {
      out.push(at(node.range[0] + innerOffset(text, node, issue), formatPath(path), issueWords(issue, isScalar(node) ? node.value : isSeq(node) ? node.toJSON() : undefined)));
      continue;
    }
    // The key is missing: point at the nearest enclosing node that exists.
    let depth = path.length - 1;
    let parent: Node | undefined;
    while (depth >= 0 && !parent?.range) parent = doc.getIn(path.slice(0, depth--), true) as Node | undefined;
    const message = issue.code === 'invalid_type' && /undefined/.test(issue.message) ? 'required key is missing' : issue.message;
    out.push(at(parent?.range?.[0] ?? doc.contents?.range?.[0], formatPath(path), message));
  }
  return out;
}

/** The key node of the pair `path` ends at, when its parent is a mapping. */
function keyAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  const last = String(path[path.length - 1]);
  const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last) : undefined;
  return pair?.key as Node | undefined;
}

/**
 * A union's bare "Invalid input" replaced by the issues of the branch the value was written for:
 * the one whose issues reach deepest into it (`timestamp: { path, unit: sec }` is the object
 * form, whose `unit` is wrong, not a wrong path string). Left as it is when no branch got inside
 * the value, or two got as deep.
 */
function unfoldUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const branches = issue.code === 'invalid_union' ? (issue as { errors?: z.core.$ZodIssue[][] }).errors : undefined;
    if (!branches || branches.length === 0) return [issue];
    const depth = (branch: z.core.$ZodIssue[]): number => Math.max(0, ...branch.map((i) => i.path.length));
    const ranked = branches.filter((b) => b.length > 0).sort((a, b) => depth(b) - depth(a));
    const best = ranked[0];
    if (best === undefined || depth(best) === 0 || (ranked[1] !== undefined && depth(ranked[1]) === depth(best))) return [issue];
    return unfoldUnions(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue));
  });
}

/**
 * How far into a one-line scalar an issue points (`params.offset`, e.g. where a rule's condition
 * goes wrong), in source characters: only when the source holds the value as written (no escapes,
 * no `${VAR}` expanded into it), so the column is exact or left at the value's start.
 */
function innerOffset(text: string, node: Node, issue: z.core.$ZodIssue): number {
  const offset = (issue as { params?: { offset?: unknown } }).params?.offset;
  if (typeof offset !== 'number' || !isScalar(node) || typeof node.value !== 'string' || !node.range) return 0;
  const source = text.slice(node.range[0], node.range[1]);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const inner = quoted ? source.slice(1, -1) : source;
  return !source.includes('\n') && inner === node.value && offset < inner.length ? offset + (quoted ? 1 : 0) : 0;
}

/** Keys listed at most in the answer to a camelCase key that is none of them. */
const LISTED_KEYS = 12;

/**
 * What the user most likely meant by an unknown key: a known key spelled nearly so. A camelCase
 * key that is none in snake_case either gets the keys not given there (naming its snake_case form as a
 * key would send the user to another unknown key).
 */
function suggest(key: string, known: readonly string[], otherNames: Readonly<Record<string, string>> | undefined): string {
  const closest = closestKey(key, known, otherNames);
  if (closest !== undefined) return ` (did you mean ${closest}?)`;
  if (!/[A-Z]/.test(key)) return '';
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return known.length > 0 && known.length <= LISTED_KEYS ? ` (nor is ${snake}: the keys not given here are ${known.join(', ')})` : ` (keys are snake_case, and ${snake} is none either)`;
}
