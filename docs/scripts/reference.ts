// The mapping reference, generated from a bridge's JSON Schema (its schema.json, which a test in
// each bridge keeps equal to its zod schema): one table row per key, with its type, its range
// or choices, and the description the schema carries (defaults are written there).

/** The parts of a JSON Schema node the reference reads. */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

/** One key of a mapping file. */
export interface ReferenceRow {
  /** `devices[].points[].metric`, `tags.<key>`. */
  path: string;
  type: string;
  required: boolean;
  description: string;
}

const DURATION = /\(ms\|s\|m\|h\|d\|w\)/;
const SIZE = /\(b\|kb\|kib/;

/** A short type: `integer 0..255`, `duration`, `size`, `"ABCD" | "BADC"`, `list of object`. */
export function typeOf(node: SchemaNode): string {
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    if (variants.some((v) => v.pattern && DURATION.test(v.pattern))) return 'duration';
    if (variants.some((v) => v.pattern && SIZE.test(v.pattern))) return 'size';
    return [...new Set(variants.map(typeOf))].join(' \\| ');
  }
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : node.type;
  if (type === 'array') {
    const count = range(node.minItems, node.maxItems, ' items').trim();
    return `list of ${node.items ? typeOf(node.items) : 'any'}${count ? ` (${count})` : ''}`;
  }
  if (type === 'integer' && node.exclusiveMinimum !== undefined) return `integer${range(node.exclusiveMinimum + 1, node.maximum)}`;
  if (type === 'number' && node.exclusiveMinimum !== undefined) return `number > ${node.exclusiveMinimum}${node.maximum === undefined ? '' : `, ≤ ${node.maximum}`}`;
  if (type === 'integer' || type === 'number') return `${type}${range(node.minimum, node.maximum)}`;
  if (type === 'string') return `string${node.maxLength !== undefined ? ` (≤ ${node.maxLength} chars)` : ''}`;
  if (type === 'object' && !node.properties && node.additionalProperties && typeof node.additionalProperties === 'object') return `map of ${typeOf(node.additionalProperties)}`;
  return type ?? 'any';
}

function range(min: number | undefined, max: number | undefined, unit = ''): string {
  if (min === undefined && max === undefined) return '';
  if (max === undefined) return ` ≥ ${min}${unit}`;
  if (min === undefined) return ` ≤ ${max}${unit}`;
  return ` ${min}..${max}${unit}`;
}

/** Every key below `node`, depth first, each once (the first variant that has it describes it). */
export function referenceRows(node: SchemaNode, prefix = '', required = true): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const seen = new Set<string>();
  const add = (row: ReferenceRow) => {
    if (seen.has(row.path)) return;
    seen.add(row.path);
    rows.push(row);
  };
  const walk = (n: SchemaNode, path: string, isRequired: boolean) => {
    for (const variant of n.anyOf ?? n.oneOf ?? []) walk(variant, path, isRequired);
    if (n.type === 'array' && n.items) walk(n.items, `${path}[]`, isRequired);
    for (const [key, child] of Object.entries(n.properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      add({ path: childPath, type: typeOf(child), required: (n.required ?? []).includes(key), description: describe(child) });
      walk(child, childPath, (n.required ?? []).includes(key));
    }
    if (!n.properties && n.additionalProperties && typeof n.additionalProperties === 'object') {
      const name = n.propertyNames?.pattern ? '<name>' : '<key>';
      walk(n.additionalProperties, `${path}.${name}`, false);
    }
  };
  walk(node, prefix, required);
  return rows;
}

/** The node's description, or its first variant's that has one. */
function describe(node: SchemaNode): string {
  return node.description ?? (node.anyOf ?? node.oneOf ?? []).find((v) => v.description)?.description ?? '';
}

/** A markdown table of `rows`. */
export function referenceTable(rows: readonly ReferenceRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
  return [
    '| key | type | required | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | ${r.type.replace(/(?<!\\)\|/g, '\\|')} | ${r.required ? 'yes' : ''} | ${cell(r.description)} |`),
  ].join('\n');
}
