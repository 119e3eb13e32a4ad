import type { RawDbc } from './_raw.js';
import type { AttributeValue, DbcAttributeDefinition, DbcObjectType } from './types.js';

/** Attribute definitions by name, with their defaults, and the conversions they imply. */
export interface AttributeResolver {
  definitions: DbcAttributeDefinition[];
  /** A value as written, in the definition's terms: ENUM indexes become their text. */
  resolve(name: string, value: AttributeValue): AttributeValue;
  /** Defaults of every attribute defined for `type`, as a fresh record. */
  defaults(type: DbcObjectType): Record<string, AttributeValue>;
}

export function createAttributeResolver(raw: RawDbc): AttributeResolver {
  const byName = new Map<string, DbcAttributeDefinition>();
  for (const { location: _location, ...definition } of raw.attributeDefinitions) {
    if (!byName.has(definition.name)) byName.set(definition.name, definition);
  }
  const resolve = (name: string, value: AttributeValue): AttributeValue => {
    const definition = byName.get(name);
    if (!definition) return value;
    if (definition.type === 'ENUM' && typeof value === 'number') return definition.enumValues?.[value] ?? String(value);
    if (definition.type !== 'ENUM' && definition.type !== 'STRING' && typeof value === 'string') {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : value;
    }
    return value;
  };
  for (const { name, value } of raw.attributeDefaults) {
    const definition = byName.get(name);
    if (definition) definition.defaultValue = resolve(name, value);
  }
  const defaultsByType = new Map<DbcObjectType, [string, AttributeValue][]>();
  for (const definition of byName.values()) {
    if (definition.defaultValue === undefined) continue;
    const list = defaultsByType.get(definition.objectType) ?? [];
    list.push([definition.name, definition.defaultValue]);
    defaultsByType.set(definition.objectType, list);
  }
  return {
    definitions: [...byName.values()],
    resolve,
    defaults: (type) => Object.fromEntries(defaultsByType.get(type) ?? []),
  };
}
