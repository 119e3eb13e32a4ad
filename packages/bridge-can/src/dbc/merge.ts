import { destinationOf, pgnOf } from '../bits/j1939.js';
import { parseDbc, type ParseDbcOptions } from './parse-dbc.js';
import type { AttributeValue, DbcAttributeDefinition, DbcDatabase, DbcMessage, DbcNode, DbcParseResult, DbcProblem } from './types.js';

/**
 * The key under which a message is looked up: its id, or for J1939 messages its PGN and sender
 * and, for a PDU1 PGN, destination (one PGN defined for two senders, or two destinations, is two messages: see `createCanDecoder`).
 */
function lookupKey(m: DbcMessage): string {
  return m.j1939 ? `pgn:${pgnOf(m.id)}:${destinationOf(m.id) ?? ''}:${m.id & 0xff}` : `${m.extended ? 'ext' : 'std'}:${m.id}`;
}

function describeKey(m: DbcMessage): string {
  if (!m.j1939) return `${m.extended ? 'extended ' : ''}id 0x${m.id.toString(16).toUpperCase()}`;
  const destination = destinationOf(m.id);
  return `J1939 PGN ${pgnOf(m.id)}${destination === undefined ? '' : `, destination address ${destination}`} and source address ${m.id & 0xff}`;
}

/**
 * One database from several: messages in file order, the first definition winning when two
 * share a bus id (or a J1939 PGN and sender), reported as `duplicate_id` with both places. Messages that
 * only share a name are kept and reported as `duplicate_name` (their metric names would
 * collide). Nodes, value tables and attribute definitions merge by name, first one wins;
 * network attributes of later files fill in what earlier ones did not set.
 */
export function mergeDatabases(databases: readonly DbcDatabase[]): DbcParseResult {
  const problems: DbcProblem[] = [];
  const messages: DbcMessage[] = [];
  const byKey = new Map<string, DbcMessage>();
  const byName = new Map<string, DbcMessage>();
  const nodes = new Map<string, DbcNode>();
  const valueTables = new Map<string, ReadonlyMap<number, string>>();
  const definitions = new Map<string, DbcAttributeDefinition>();
  const attributes: Record<string, AttributeValue> = {};
  let comment: string | undefined;
  for (const db of databases) {
    for (const m of db.messages) {
      const key = lookupKey(m);
      const kept = byKey.get(key);
      if (kept) {
        problems.push({
          kind: 'duplicate_id',
          ...m.location,
          message: `message ${m.name} has the ${describeKey(m)} of ${kept.name} (${kept.location.file}:${kept.location.line}); the first definition is used`,
          dropped: { message: m.name },
        });
        continue;
      }
      const sameName = byName.get(m.name);
      if (sameName && sameName.location.file !== m.location.file) {
        problems.push({
          kind: 'duplicate_name',
          ...m.location,
          message: `message name ${m.name} is also used in ${sameName.location.file}:${sameName.location.line}; both are decoded, but metric names built from it will collide`,
        });
      }
      byKey.set(key, m);
      if (!sameName) byName.set(m.name, m);
      messages.push(m);
    }
    for (const n of db.nodes) if (!nodes.has(n.name)) nodes.set(n.name, n);
    for (const [name, table] of db.valueTables) if (!valueTables.has(name)) valueTables.set(name, table);
    for (const d of db.attributeDefinitions) if (!definitions.has(d.name)) definitions.set(d.name, d);
    for (const [name, value] of Object.entries(db.attributes)) if (!(name in attributes)) attributes[name] = value;
    comment ??= db.comment;
  }
  const database: DbcDatabase = {
    files: databases.flatMap((d) => d.files),
    version: databases.find((d) => d.version !== '')?.version ?? '',
    nodes: [...nodes.values()],
    messages,
    valueTables,
    attributeDefinitions: [...definitions.values()],
    attributes,
  };
  if (comment !== undefined) database.comment = comment;
  return { database, problems };
}

/** One DBC text and the name its problems carry. */
export interface DbcSource {
  file: string;
  text: string;
}

/**
 * Parses several DBC texts and merges them (see {@link mergeDatabases}); the problems of every
 * file come first, in file order, then those of the merge. Never throws.
 */
export function parseDbcSources(sources: readonly DbcSource[], options: Omit<ParseDbcOptions, 'file'> = {}): DbcParseResult {
  const parsed = sources.map((s) => parseDbc(s.text, { ...options, file: s.file }));
  const merged = mergeDatabases(parsed.map((p) => p.database));
  return { database: merged.database, problems: [...parsed.flatMap((p) => p.problems), ...merged.problems] };
}
