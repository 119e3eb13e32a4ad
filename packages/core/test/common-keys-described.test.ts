import { describe, expect, it } from 'vitest';
import { generateJsonSchema } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

type Node = { properties?: Record<string, Node>; items?: Node; description?: string };

/** The dotted names of the keys that hold a value (not a section of keys) and have no description. */
function undescribedLeaves(node: Node, path: string): string[] {
  const children = node.properties ?? node.items?.properties;
  if (children === undefined) return node.description ? [] : [path];
  const prefix = node.items ? `${path}[].` : `${path}.`;
  return Object.entries(children).flatMap(([key, child]) => undescribedLeaves(child, `${prefix}${key}`));
}

describe('the common keys of a mapping file', () => {
  it('describe every value key, so an editor and docs/mapping.md say what each one does and its default', () => {
    const schema = generateJsonSchema(counterBridge) as Node;
    const common = Object.entries(schema.properties ?? {}).filter(([key]) => key !== counterBridge.name);
    expect(common.flatMap(([key, node]) => undescribedLeaves(node, key))).toEqual([]);
  });
});
