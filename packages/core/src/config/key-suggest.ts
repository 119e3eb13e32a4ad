import type { z } from 'zod';
import { closestName, editDistance } from '../shared/edit-distance.js';

export { editDistance } from '../shared/edit-distance.js';

/**
 * "Did you mean" for an unknown key of a mapping file: the keys the schema allows where the
 * unknown one was written, and the one closest to it in spelling.
 */

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: readonly z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
  items?: readonly z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** How deep a schema is unwrapped before giving up (a recursive `z.lazy`). */
const MAX_DEPTH = 64;

/**
 * The schemas with a shape of their own (object, array, tuple, record, a scalar) that `schema`
 * stands for, looking through optional, default, pipe, union, intersection, lazy and the like.
 */
function structural(schema: z.ZodType, depth = 0): Def[] {
  if (depth > MAX_DEPTH) return [];
  const def = defOf(schema);
  const inner = (...parts: (z.ZodType | undefined)[]): Def[] => parts.flatMap((s) => (s === undefined ? [] : structural(s, depth + 1)));
  switch (def.type) {
    case 'pipe':
      return inner(def.in, def.out);
    case 'union':
      return inner(...(def.options ?? []));
    case 'intersection':
      return inner(def.left, def.right);
    case 'lazy':
      return inner(def.getter?.());
    default:
      return def.innerType === undefined ? [def] : inner(def.innerType);
  }
}

/** Every schema a step of a path leads to from `schema` (several when a union's branches all have it). */
function step(schema: z.ZodType, key: string | number): z.ZodType[] {
  return structural(schema).flatMap((def) => {
    if (def.type === 'object') return typeof key === 'string' && def.shape?.[key] ? [def.shape[key]] : [];
    if (def.type === 'array') return typeof key === 'number' && def.element ? [def.element] : [];
    if (def.type === 'tuple') return typeof key === 'number' && def.items?.[key] ? [def.items[key]] : [];
    if (def.type === 'record') return def.valueType ? [def.valueType] : [];
    return [];
  });
}

/** The keys `schema` allows in the object at `path`. */
export function keysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let at: z.ZodType[] = [schema];
  for (const key of path) at = at.flatMap((s) => step(s, key));
  const keys = new Set<string>();
  for (const s of at) for (const def of structural(s)) if (def.type === 'object') for (const key of Object.keys(def.shape ?? {})) keys.add(key);
  return [...keys];
}

/** The units a key's name ends in (`poll_ms`, `heartbeat_s`, `max_bytes`): what a user may leave off. */
const UNIT_SUFFIX = /^(ms|s|hz|bytes|points|per_s)$/;

/**
 * The known key `key` was most likely meant to be: a camelCase or kebab-case spelling of it, what
 * another tool calls it (`slave_id` for `unit_id`), a key one edit away (`signals` for `signal`),
 * the one key that is it with its unit added (`poll_ms` for `poll`), or the one fewest edits away
 * ({@link closestName}). Undefined when nothing is that close, or two are equally close.
 * `otherNames` maps what other tools call keys to ours (a section's `SectionDefinition.otherNames`).
 */
export function closestKey(key: string, known: readonly string[], otherNames: Readonly<Record<string, string>> = {}): string | undefined {
  const normal = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_').replace(/^_/, '');
  if (normal !== key && known.includes(normal)) return normal;
  const other = Object.hasOwn(otherNames, normal) ? otherNames[normal] : undefined;
  if (other !== undefined && known.includes(other)) return other;
  const nearest = closestName(key.toLowerCase(), known);
  if (nearest !== undefined && editDistance(key.toLowerCase(), nearest) <= 1) return nearest;
  // `poll` for `poll_ms`, `timeout` for `timeout_ms`: the unit left off.
  const suffixed = known.filter((k) => k.startsWith(`${normal}_`) && UNIT_SUFFIX.test(k.slice(normal.length + 1)));
  if (suffixed.length === 1) return suffixed[0];
  return nearest;
}
